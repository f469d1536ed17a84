// Adds 1 to the shared value 'n' `count` times by get + set under n.getLock():
// without the lock, concurrent children would lose updates.
import { type ChildConfig, childContext } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { count: number }>()
const n = mp.value('n', 0)
const lock = n.getLock()
for (let i = 0; i < config.count; i++) {
  await lock.withLock(async () => {
    await n.set((await n.get()) + 1)
  })
}
await mp.close()
