// Takes lock 'l' or a permit of semaphore 's' (`kind`, lease `ttl` ms), says so
// with event 'held', and is killed with SIGKILL when event 'die' is set: no
// cleanup runs.
import { type ChildConfig, childContext } from '../support/child-context.js'

const { mp, config } = await childContext<
  ChildConfig & { kind: 'lock' | 'semaphore'; ttl: number }
>()
const { ttl } = config
const taken =
  config.kind === 'lock'
    ? await mp.lock('l', { ttl }).acquire()
    : await mp.semaphore('s', 1, { ttl }).acquire()
if (!taken) throw new Error('not taken')
await mp.event('held').set()
await mp.event('die').wait()
process.kill(process.pid, 'SIGKILL')
