// A consumer the test drives line by line on stdin, so it can act while the
// consumer holds items: 'take K' gets K items and reports their ids and
// values; 'ack K' calls taskDone() K times and reports once the acks are
// in Redis (or refused there). It closes and exits when stdin ends.
import { createInterface } from 'node:readline'
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  queue: string
  lease: number
  keepEvents: number
}

const { config, mp } = await childContext<Config>()
// prefetch 1: the consumer holds exactly the items it was asked to take.
const q = mp.joinableQueue<number>(config.queue, {
  lease: config.lease,
  prefetch: 1,
  keepEvents: config.keepEvents,
})
report({ ready: true })
for await (const line of createInterface({ input: process.stdin })) {
  const [command, count] = line.split(' ')
  const times = Array.from({ length: Number(count) })
  if (command === 'take') {
    const took: Array<{ id: string; item: number }> = []
    for (const _ of times) {
      const { id, data } = await q.nextJob()
      took.push({ id, item: data })
    }
    report({ took })
  } else if (command === 'ack') {
    await Promise.all(times.map(() => q.taskDone()))
    report({ acked: times.length })
  }
}
await mp.close()
