// Gets `count` items and reports them without acknowledging. Then either holds
// them until killed ('hold'), or waits for the word 'go' on the list
// `goKey` and only then acknowledges them, reporting the unfinished count
// ('ack-on-go'): a late ack when the test paused this process past its lease.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  queue: string
  lease?: number
  count: number
  after: 'hold' | 'ack-on-go'
  /** With 'ack-on-go': the list the word 'go' comes on. */
  goKey: string
}

const { config, mp } = await childContext<Config>()
const q = mp.joinableQueue<number>(config.queue, { lease: config.lease ?? 30_000, prefetch: 1 })
const held: number[] = []
for (let i = 0; i < config.count; i++) held.push(await q.get())
report({ held })
// A lease never keeps a process alive: this one stays until it is killed.
if (config.after === 'hold') setInterval(() => {}, 60_000)
if (config.after === 'ack-on-go') {
  const blocking = await mp.openBlockingClient()
  await blocking.blpop(config.goKey, 0)
  for (let i = 0; i < held.length; i++) q.taskDone()
  report({ unfinished: await q.unfinishedTasks() })
  await mp.close()
}
