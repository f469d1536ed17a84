// The hand-written baseline: `concurrency` loops of BRPOP on one ioredis connection.
import { Redis } from 'ioredis'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const redis = new Redis(required(args, 'redis'))
  const key = required(args, 'key')
  await redis.ping()
  let stopping = false
  // Each loop waits without a timeout, as redproc's consumer does; the BRPOPs
  // of the loops queue up on the one connection (Redis serves them in order).
  const loop = async () => {
    while (!stopping) {
      try {
        const popped = await redis.brpop(key, 0)
        if (popped) {
          JSON.parse(popped[1])
          counter.add()
        }
      } catch (error) {
        if (stopping) return
        throw error
      }
    }
  }
  const loops = Array.from({ length: Number(args.concurrency ?? 1) }, () => loop().catch(failed))
  return {
    async stop() {
      stopping = true
      // Ends the waiting BRPOPs: they fail, and the loops see `stopping`.
      redis.disconnect()
      await Promise.all(loops)
    },
  }
}).catch(failed)
