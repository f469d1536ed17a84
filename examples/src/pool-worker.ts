// A serving process for the redis-backed pool: run one (or several) on every
// machine that should share the work. It takes chunks from the queue 'squares'
// until it gets SIGTERM or SIGINT, then finishes what it holds and exits.
//
// Run: npx tsx examples/src/pool-worker.ts   (REDIS_URL)
import { connect, serve } from '@redproc/shared'
import * as tasks from './tasks.js'

const mp = await connect({ namespace: 'example-pool' })
const server = await serve(mp, { queue: 'squares', tasks, concurrency: 4 })
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await server.stop()
    await mp.close()
  })
}
console.error(`worker ${server.id} serving 'squares'`)
