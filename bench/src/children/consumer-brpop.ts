// The hand-written baseline: one ioredis connection in a BRPOP loop.
import { Redis } from 'ioredis'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const redis = new Redis(required(args, 'redis'))
  const key = required(args, 'key')
  await redis.ping()
  let stopping = false
  const loop = (async () => {
    while (!stopping) {
      const popped = await redis.brpop(key, 0.2)
      if (popped) {
        JSON.parse(popped[1])
        counter.add()
      }
    }
  })().catch(failed)
  return {
    async stop() {
      stopping = true
      await loop
      redis.disconnect()
    },
  }
}).catch(failed)
