// A redproc joinable-queue consumer: `concurrency` loops of get + taskDone.
import { connect } from '@redproc/shared'
import { consumerLoops } from './consumer-loops.js'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args, counter) => {
  const mp = await connect({
    redis: required(args, 'redis'),
    namespace: required(args, 'namespace'),
  })
  const queue = mp.joinableQueue(required(args, 'name'))
  // Waits without a timeout, as a consumer would; closing the handle ends the wait.
  const loops = consumerLoops(
    Number(args.concurrency ?? 1),
    async () => {
      await queue.get()
      await queue.taskDone()
      counter.add()
    },
    () => queue.close(),
  )
  return {
    async stop() {
      await loops.stop()
      await mp.close()
    },
  }
}).catch(failed)
