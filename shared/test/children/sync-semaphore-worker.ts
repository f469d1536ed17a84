// `rounds` times: takes a permit of semaphore 's' (of `permits`), counts itself
// in 'inside' while holding it, and reports the most it saw inside.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { permits: number; rounds: number }>()
const s = mp.semaphore('s', config.permits)
const inside = mp.value('inside', 0)
let most = 0
for (let round = 0; round < config.rounds; round++) {
  await s.withPermit(async () => {
    most = Math.max(most, await inside.add(1))
    await inside.add(-1)
  })
}
report({ most })
await mp.close()
