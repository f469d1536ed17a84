// Python's Pool.map and the seed's parmap, on worker threads here or on
// serving processes anywhere: the one word `backend` decides.
//
//   with Pool(4) as p:
//       print(p.map(square, range(10)))
//
// Run: npm run pool-map --workspace examples            (threads of this process)
//      npm run pool-map --workspace examples -- redis   (starts two serving processes)
import { connect, type PoolOptions } from '@redproc/shared'

const backend = process.argv[2] === 'redis' ? 'redis' : 'local'
const options: PoolOptions =
  backend === 'local'
    ? { backend: 'local', tasks: new URL('./tasks.ts', import.meta.url), processes: 4 }
    : { backend: 'redis', queue: 'squares' }

await using mp = await connect({ namespace: 'example-pool', pool: options })
const workers =
  backend === 'redis'
    ? [1, 2].map(() =>
        mp.process({ target: 'serveSquares', tasks: new URL('./pool-worker.ts', import.meta.url) }),
      )
    : []
for (const worker of workers) worker.start()

const pool = mp.pool(options)
console.log(
  JSON.stringify(
    await pool.map(
      'square',
      Array.from({ length: 10 }, (_, i) => i),
    ),
  ),
)
const primes = await mp.parmap<boolean>('isPrime', [2, 3, 4, 5, 97, 100])
console.log(JSON.stringify(primes))

pool.close()
await pool.join()
for (const worker of workers) worker.terminate()
await Promise.all(workers.map((worker) => worker.join()))
