// Takes items until the queue is shut down, acknowledging each, then reports
// what it saw, closes its context and exits by itself.
import { childContext, report } from './jq-support.js'

const { config, mp } = await childContext()
const q = mp.joinableQueue<number>(config.queue, { lease: config.lease ?? 30_000 })
report({ ready: true })
const seen: number[] = []
let acked = 0
for await (const item of q) {
  seen.push(item)
  q.taskDone()
  acked++
}
report({ seen, acked })
await mp.close()
