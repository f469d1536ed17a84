// Python's plain consumer loop with CPU-bound work and no I/O in between:
// get, compute (the event loop blocked for the item's `ms`), taskDone. Reports
// the ids it ran once the queue is shut down.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  queue: string
  lease: number
}

type Item = {
  id: number
  ms: number
}

function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {}
}

const { config, mp } = await childContext<Config>()
const q = mp.joinableQueue<Item>(config.queue, { lease: config.lease })
report({ ready: true })
const ran: number[] = []
for await (const item of q) {
  busy(item.ms)
  ran.push(item.id)
  q.taskDone()
}
report({ ran })
await mp.close()
