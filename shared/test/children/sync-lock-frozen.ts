// Takes lock 'l' with a short lease and reports its pid, so the test can freeze
// it (SIGSTOP) past its lease; once thawed and told to go, it tries to release.
import { isRedprocError } from '../../src/index.js'
import { childContext, report } from '../support/child-context.js'

const { mp } = await childContext()
const lock = mp.lock('l', { ttl: 300 })
await lock.acquire()
const fence = lock.fencingToken
await mp.value('pid').set(process.pid)
await mp.event('go').wait()
let outcome = 'released'
try {
  await lock.release()
} catch (error) {
  outcome = isRedprocError(error) ? error.code : String(error)
}
report({ outcome, fence })
await mp.close()
