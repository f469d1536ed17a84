// Takes items until the queue is shut down, acknowledging each, then reports
// what it saw, closes its context and exits by itself.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  queue: string
  lease?: number
}

const { config, mp } = await childContext<Config>()
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
