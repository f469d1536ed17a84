// The hand-batched baseline: `concurrency` loops of get on one HandBatchedQueue.
import { Redis } from 'ioredis'
import { consumerLoops } from './consumer-loops.js'
import { HandBatchedQueue } from './hand-batched-queue.js'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const redis = new Redis(required(args, 'redis'))
  await redis.ping()
  const queue = new HandBatchedQueue(redis, required(args, 'key'))
  // Disconnecting ends the waiting BLMPOP, and with it the loops' gets.
  return consumerLoops(
    Number(args.concurrency ?? 1),
    async () => {
      await queue.get()
      counter.add()
    },
    () => redis.disconnect(),
  )
}).catch(failed)
