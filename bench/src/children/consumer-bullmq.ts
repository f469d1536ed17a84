// A raw BullMQ Worker with an empty processor; counts completed jobs.
import { Worker } from 'bullmq'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const worker = new Worker(required(args, 'name'), async () => {}, {
    connection: { host: '127.0.0.1', port: Number(required(args, 'port')) },
    concurrency: Number(args.concurrency ?? 1),
  })
  worker.on('completed', () => counter.add())
  worker.on('error', failed)
  await worker.waitUntilReady()
  return { stop: () => worker.close() }
}).catch(failed)
