/**
 * Workload 6: Python's `Pool(2).map`, of a trivial task and of a CPU-bound
 * one, on two worker threads and on two child processes (local backends), on
 * two serving processes (redis backend) and in Python — each pool started and warmed before the
 * clock runs, then timed map by map: default chunksize, then chunksize 1.
 */
import { connect, type Pool } from '@redproc/shared'
import { HASH_ROUNDS } from '../children/pool-tasks.js'
import { runTimeoutMs } from '../items.js'
import { pythonChild, runToResult, startChildren, stopChildren, tsChild } from '../processes.js'
import { median, perSecond } from '../stats.js'
import type { BenchEnv, Workload } from '../workload.js'

/** Workers of every pool: threads, serving processes, Python processes. */
export const WORKERS = 2
/** The CPU-bound task runs over N / this items, so that it takes about as long as the rest. */
const CPU_DIVISOR = 10
const QUEUE = 'tasks'
/**
 * Before the clock runs, each pool makes every timed call once on a few
 * items, then maps the trivial task over N items this many times:
 * JavaScript's compilers need a few passes over the pool's code, with every
 * kind of result it will see, to reach full speed. Python is given the same.
 */
const WARM_UP_ROUNDS = 3
const WARM_UP_ITEMS = 100
/** The trivial map takes milliseconds: its figure is the median of this many maps. */
const TRIVIAL_REPEATS = 5

const tasksModule = new URL('../../dist/children/pool-tasks.js', import.meta.url)

function cpuItems(env: BenchEnv): number {
  return Math.max(WORKERS, Math.round(env.n / CPU_DIVISOR))
}

export const pool: Workload = {
  id: 'pool',
  title: 'Pool',
  description: `\`map\` over N items of a trivial task (\`n + 1\`) and over N / ${CPU_DIVISOR} items of a CPU-bound one (sha256 of its own hex digest, ${HASH_ROUNDS} rounds), each with the default chunksize (Python's rule: about 4 chunks per worker) and with chunksize 1, by pools of ${WORKERS} workers. Each pool is started and warmed before the clock runs (every timed call once on a few items, then ${WARM_UP_ROUNDS} untimed maps of the trivial task over N items, in every contender); a figure is items per second of one \`map\` call, from the call to its last result (for the trivial task with the default chunksize, which takes milliseconds, the median of ${TRIVIAL_REPEATS} calls). Redis counts cover every call of a run, warm-up included: most commands come from the chunksize-1 calls.`,
  // Items mapped per run: the warm-up's trivial maps, the timed ones, the CPU-bound ones.
  opsPerItem: WARM_UP_ROUNDS + TRIVIAL_REPEATS + 1 + 2 / CPU_DIVISOR,
  metrics: [
    { key: 'trivial', label: 'trivial task, default chunksize', unit: 'items/s', better: 'higher' },
    { key: 'trivial1', label: 'trivial task, chunksize 1', unit: 'items/s', better: 'higher' },
    { key: 'cpu', label: 'sha256 loop, default chunksize', unit: 'items/s', better: 'higher' },
    { key: 'cpu1', label: 'sha256 loop, chunksize 1', unit: 'items/s', better: 'higher' },
  ],
  contenders: [
    {
      name: 'redproc local',
      note: `\`mp.pool({ backend: 'local', tasks, processes: ${WORKERS} })\`: worker threads of the calling process`,
      run: (env) => runLocal(env, 'threads'),
    },
    {
      name: 'redproc processes',
      note: `\`mp.pool({ backend: 'processes', tasks, processes: ${WORKERS} })\`: child processes, as Python's`,
      run: (env) => runLocal(env, 'processes'),
    },
    {
      name: 'redproc redis',
      note: `\`mp.pool({ queue })\` with ${WORKERS} \`serve(mp, { queue, tasks, concurrency: 1 })\` processes`,
      run: async (env) => {
        const servers = await startChildren(WORKERS, 'redproc serve', () =>
          tsChild('pool-serve', {
            redis: env.redisUrl,
            namespace: env.runId,
            queue: QUEUE,
            concurrency: 1,
          }),
        )
        try {
          const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
          let figures: Record<string, number>
          try {
            const remote = mp.pool({ queue: QUEUE })
            figures = await measure(env, remote)
            remote.close()
            await remote.join()
          } finally {
            await mp.close()
          }
          const done = await stopChildren(servers)
          return { ...figures, consumerCpuMs: done.reduce((sum, d) => sum + Number(d.cpuMs), 0) }
        } finally {
          for (const server of servers) server.kill()
        }
      },
    },
    {
      name: `Python Pool(${WORKERS})`,
      note: `\`multiprocessing.Pool(${WORKERS}).map(f, range(n), chunksize)\` with the same tasks (\`hashlib.sha256\`)`,
      run: async (env) => {
        const result = await runToResult(
          'Python pool',
          pythonChild(env.python, 'pool_map', [
            String(env.n),
            String(cpuItems(env)),
            String(HASH_ROUNDS),
            String(WORKERS),
            String(WARM_UP_ROUNDS),
            String(WARM_UP_ITEMS),
            String(TRIVIAL_REPEATS),
          ]),
          runTimeoutMs(env),
        )
        return {
          trivial: Number(result.trivial),
          trivial1: Number(result.trivial1),
          cpu: Number(result.cpu),
          cpu1: Number(result.cpu1),
        }
      },
    },
  ],
}

/** A pool of this process's own workers, timed, then closed. */
async function runLocal(
  env: BenchEnv,
  backend: 'threads' | 'processes',
): Promise<Record<string, number>> {
  const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
  try {
    const local = mp.pool({ backend, tasks: tasksModule, processes: WORKERS })
    const figures = await measure(env, local)
    local.close()
    await local.join()
    return figures
  } finally {
    await mp.close()
  }
}

async function measure(env: BenchEnv, pool: Pool): Promise<Record<string, number>> {
  await pool.map('trivial', range(WARM_UP_ITEMS * 10))
  await pool.map('trivial', range(WARM_UP_ITEMS), { chunksize: 1 })
  await pool.map('hashLoop', range(WORKERS * 4))
  await pool.map('hashLoop', range(WORKERS * 4), { chunksize: 1 })
  for (let i = 0; i < WARM_UP_ROUNDS; i++) await pool.map('trivial', range(env.n))
  const trivial: number[] = []
  for (let i = 0; i < TRIVIAL_REPEATS; i++) trivial.push(await rate(pool, 'trivial', range(env.n)))
  return {
    trivial: median(trivial),
    trivial1: await rate(pool, 'trivial', range(env.n), 1),
    cpu: await rate(pool, 'hashLoop', range(cpuItems(env))),
    cpu1: await rate(pool, 'hashLoop', range(cpuItems(env)), 1),
  }
}

async function rate(pool: Pool, task: string, items: number[], chunksize?: number) {
  const started = performance.now()
  const results = await pool.map(task, items, chunksize === undefined ? {} : { chunksize })
  const elapsed = performance.now() - started
  if (results.length !== items.length)
    throw new Error(`${task}: map returned ${results.length} of ${items.length} results`)
  return perSecond(items.length, elapsed)
}

/** 0 … n - 1, as an array literal or a loop of pushes makes it. */
function range(n: number): number[] {
  const items: number[] = []
  for (let i = 0; i < n; i++) items.push(i)
  return items
}
