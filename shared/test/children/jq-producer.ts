// Puts the numbers [from, from + count) on the queue, `batch` at a time
// (one by one with put() when batch is 1), then closes and exits by itself.
import { childContext, report } from './jq-support.js'

const { config, mp } = await childContext()
const q = mp.joinableQueue<number>(config.queue)
const from = config.from as number
const count = config.count as number
const batch = config.batch as number
for (let i = from; i < from + count; i += batch) {
  if (batch === 1) await q.put(i)
  else await q.putMany(Array.from({ length: Math.min(batch, from + count - i) }, (_, j) => i + j))
}
report({ put: count })
await mp.close()
