// Holds a lock, an rlock twice, two permits and a condition's lock, then closes
// its context without releasing: it must exit by itself, and give them back.
import { childContext } from '../support/child-context.js'

const { mp } = await childContext()
await mp.lock('l', { ttl: 60_000 }).acquire()
const r = mp.rlock('r', { ttl: 60_000 })
await r.acquire()
await r.acquire()
const s = mp.semaphore('s', 2, { ttl: 60_000 })
await s.acquire()
await s.acquire()
await mp.condition('c').acquire()
// A wait still blocked when the context closes must not keep the process alive either.
void mp
  .event('never')
  .wait()
  .catch(() => undefined)
await mp.close()
