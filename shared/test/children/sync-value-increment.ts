// Adds 1 to the shared value 'n' argv[4] times by get + set under n.getLock():
// without the lock, concurrent children would lose updates.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const n = mp.value('n', 0)
const lock = n.getLock()
for (let i = 0; i < Number(args[0]); i++) {
  await lock.withLock(async () => {
    await n.set((await n.get()) + 1)
  })
}
await mp.close()
