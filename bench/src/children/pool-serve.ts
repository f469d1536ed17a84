// A redproc serving process for the pool workload: `serve` with the pool
// tasks module, as the consumer service runs it.
import { connect, serve } from '@redproc/shared'
import * as tasks from './pool-tasks.js'
import { failed, required, serveChild } from './protocol.js'

serveChild(async (args) => {
  const mp = await connect({
    redis: required(args, 'redis'),
    namespace: required(args, 'namespace'),
  })
  const server = await serve(mp, {
    queue: required(args, 'queue'),
    tasks,
    concurrency: Number(args.concurrency ?? 1),
  })
  return {
    async stop() {
      await server.stop()
      await mp.close()
    },
  }
}).catch(failed)
