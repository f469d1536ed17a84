// The other process of the locks workload's hand-off game: it plays the same
// actor as the benchmark process, over IPC, until the benchmark disconnects.
import {
  handOffActor,
  type LockContender,
  openLock,
  type PeerCommand,
  type PeerReply,
} from './lock-contenders.js'
import { parseArgs, required } from './protocol.js'

const args = parseArgs()
const lock = await openLock(
  required(args, 'contender') as LockContender,
  required(args, 'redis'),
  required(args, 'run'),
)
const reply = (message: PeerReply) => process.send?.(message)
const act = handOffActor(lock, reply)
process.on('message', (command: PeerCommand) => act(command))
process.once('disconnect', () => {
  lock.close().finally(() => process.exit(0))
})
reply({ type: 'ready' })
