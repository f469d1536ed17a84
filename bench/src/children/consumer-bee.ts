// A bee-queue worker with an empty handler; counts succeeded jobs.
import BeeQueue from 'bee-queue'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const queue = new BeeQueue(required(args, 'name'), {
    redis: { host: '127.0.0.1', port: Number(required(args, 'port')) },
    removeOnSuccess: true,
    getEvents: false,
  })
  queue.on('succeeded', () => counter.add())
  queue.on('error', failed)
  await queue.ready()
  queue.process(Number(args.concurrency ?? 1), async () => {})
  return { stop: () => queue.close() }
}).catch(failed)
