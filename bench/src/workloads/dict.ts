import { connect } from '@redproc/shared'
import { Redis } from 'ioredis'
import { pythonChild, runToResult } from '../processes.js'
import { perSecond, withCallers } from '../stats.js'
import type { BenchEnv, Workload } from '../workload.js'

const CALLERS = 100
const KEYS = 1000

interface DictOps {
  set(key: string, value: { n: number }): Promise<unknown>
  get(key: string): Promise<unknown>
}

/** Workload 4: a shared dict, one awaited caller and 100 concurrent ones. */
export const dict: Workload = {
  id: 'dict',
  title: 'Shared dict',
  opsPerItem: 4,
  description: `N sets then N gets over ${KEYS} keys with small JSON values: first one caller awaiting each operation, then ${CALLERS} concurrent callers (each awaiting its own operations). Python's callers are ${CALLERS} threads, each with its own proxy connection to the manager process.`,
  metrics: [
    { key: 'set1', label: 'set, 1 caller', unit: 'ops/s', better: 'higher' },
    { key: 'get1', label: 'get, 1 caller', unit: 'ops/s', better: 'higher' },
    { key: 'setMany', label: `set, ${CALLERS} callers`, unit: 'ops/s', better: 'higher' },
    { key: 'getMany', label: `get, ${CALLERS} callers`, unit: 'ops/s', better: 'higher' },
  ],
  contenders: [
    {
      name: 'redproc',
      note: '`mp.dict(name).set(k, v)` / `.get(k)`',
      run: async (env) => {
        const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
        try {
          const d = mp.dict<{ n: number }>('shared')
          return await measure(env, { set: (k, v) => d.set(k, v), get: (k) => d.get(k) })
        } finally {
          await mp.close()
        }
      },
    },
    {
      name: 'ioredis HSET/HGET',
      note: 'raw `HSET key field JSON` / `HGET` + `JSON.parse` on one ioredis client',
      run: async (env) => {
        const redis = new Redis(env.redisUrl)
        const key = `${env.runId}:hash`
        try {
          await redis.ping()
          return await measure(env, {
            set: (k, v) => redis.hset(key, k, JSON.stringify(v)),
            get: async (k) => {
              const text = await redis.hget(key, k)
              return text === null ? undefined : JSON.parse(text)
            },
          })
        } finally {
          redis.disconnect()
        }
      },
    },
    {
      name: 'Python Manager dict',
      note: '`multiprocessing.Manager().dict()` proxy: `d[k] = v` / `d.get(k)`',
      run: async (env) => {
        const result = await runToResult(
          'Python Manager dict',
          pythonChild(env.python, 'manager_dict', [String(env.n), String(CALLERS), String(KEYS)]),
          env.quick ? 60_000 : 300_000,
        )
        return {
          set1: Number(result.set1),
          get1: Number(result.get1),
          setMany: Number(result.setMany),
          getMany: Number(result.getMany),
        }
      },
    },
  ],
}

async function measure(env: BenchEnv, ops: DictOps): Promise<Record<string, number>> {
  const key = (i: number) => `k${i % KEYS}`
  const timed = async (callers: number, op: (i: number) => Promise<unknown>) => {
    const started = performance.now()
    await withCallers(env.n, callers, op)
    return perSecond(env.n, performance.now() - started)
  }
  return {
    set1: await timed(1, (i) => ops.set(key(i), { n: i })),
    get1: await timed(1, (i) => ops.get(key(i))),
    setMany: await timed(CALLERS, (i) => ops.set(key(i), { n: i })),
    getMany: await timed(CALLERS, (i) => ops.get(key(i))),
  }
}
