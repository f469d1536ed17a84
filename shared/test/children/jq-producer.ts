// Puts the numbers [from, from + count) on the queue, `batch` at a time
// (one by one with put() when batch is 1), then closes and exits by itself.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  queue: string
  from: number
  count: number
  batch: number
}

const { config, mp } = await childContext<Config>()
const q = mp.joinableQueue<number>(config.queue)
const { from, count, batch } = config
for (let i = from; i < from + count; i += batch) {
  if (batch === 1) await q.put(i)
  else await q.putMany(Array.from({ length: Math.min(batch, from + count - i) }, (_, j) => i + j))
}
report({ put: count })
await mp.close()
