// Takes lock 'l' (ttl argv[4]) or a permit of semaphore 's', says so with event
// 'held', and is killed with SIGKILL when event 'die' is set: no cleanup runs.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const [kind, ttl] = [args[0], Number(args[1])]
const taken =
  kind === 'lock'
    ? await mp.lock('l', { ttl }).acquire()
    : await mp.semaphore('s', 1, { ttl }).acquire()
if (!taken) throw new Error('not taken')
await mp.event('held').set()
await mp.event('die').wait()
process.kill(process.pid, 'SIGKILL')
