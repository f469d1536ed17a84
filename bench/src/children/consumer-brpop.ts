// The hand-written baseline: `concurrency` loops of BRPOP on one ioredis connection.
import { Redis } from 'ioredis'
import { consumerLoops } from './consumer-loops.js'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const redis = new Redis(required(args, 'redis'))
  const key = required(args, 'key')
  await redis.ping()
  // Each loop waits without a timeout, as redproc's consumer does; the BRPOPs
  // of the loops queue up on the one connection (Redis serves them in order).
  // Disconnecting ends the waiting BRPOPs.
  return consumerLoops(
    Number(args.concurrency ?? 1),
    async () => {
      const popped = await redis.brpop(key, 0)
      if (popped) {
        JSON.parse(popped[1])
        counter.add()
      }
    },
    () => redis.disconnect(),
  )
}).catch(failed)
