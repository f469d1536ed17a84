// A serving process for the redis-backed pool: run one (or several) on every
// machine that should share the work. It takes chunks from the queue 'squares'
// until it gets SIGTERM or SIGINT, then finishes what it holds and exits.
//
// Run: npx tsx examples/src/pool-worker.ts   (REDIS_URL)
// or start it as a task: mp.process({ target: 'serveSquares', tasks: <this file> })
import { once } from 'node:events'
import { type Context, connect, currentProcess, serve } from '@redproc/shared'
import * as tasks from './tasks.js'

/** Serves 'squares' until SIGTERM or SIGINT (what `terminate()` sends). */
export async function serveSquares(mp: Context): Promise<void> {
  const server = await serve(mp, { queue: 'squares', tasks, concurrency: 4 })
  console.error(`worker ${server.id} serving 'squares'`)
  const stop = new AbortController()
  await Promise.race((['SIGTERM', 'SIGINT'] as const).map((signal) => once(process, signal, stop)))
  stop.abort()
  await server.stop()
}

// Python's `if __name__ == '__main__':` — run directly, it serves on its own context.
if (currentProcess().name === 'MainProcess') {
  await using mp = await connect({ namespace: 'example-pool' })
  await serveSquares(mp)
}
