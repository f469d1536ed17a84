// A redproc plain-queue consumer: `concurrency` loops of get.
import { connect } from '@redproc/shared'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const mp = await connect({
    redis: required(args, 'redis'),
    namespace: required(args, 'namespace'),
  })
  const queue = mp.queue(required(args, 'name'))
  let stopping = false
  // Waits without a timeout, as a consumer would; closing the handle ends the wait.
  const loop = async () => {
    while (!stopping) {
      try {
        await queue.get()
        counter.add()
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
      await queue.close()
      await Promise.all(loops)
      await mp.close()
    },
  }
}).catch(failed)
