import { RemoteManager } from '@redproc/shared'
import { Pool } from 'undici'
import { pythonChild, runToResult } from '../processes.js'
import { processMemoryKb, startApi } from '../services.js'
import { percentile, perSecond } from '../stats.js'
import type { BenchEnv, Workload } from '../workload.js'

const CONNECTIONS = 50
const KEYS = 1000
const AUTHKEY = 'bench-authkey'

interface DictOps {
  set(key: string, n: number): Promise<unknown>
  get(key: string): Promise<unknown>
}

/** Workload 9: the manager server reached over the network, against Python's BaseManager. */
export const managerHttp: Workload = {
  id: 'manager-http',
  title: 'Manager dict over the network',
  opsPerItem: 2,
  description: `N sets then N gets of small JSON values over ${KEYS} keys by ${CONNECTIONS} concurrent callers, each awaiting its own operations. redproc: the api service (a separate process, request logs at warn, rate limit off) reached by plain HTTP keep-alive on ${CONNECTIONS} connections (undici), and through RemoteManager. Python: a BaseManager server process with an authkey serving a dict, reached over TCP by ${CONNECTIONS} threads, each with its own proxy connection. Latencies are per operation, sets and gets together; the api's RSS is its peak (VmHWM) over the run.`,
  metrics: [
    { key: 'setRate', label: `set, ${CONNECTIONS} callers`, unit: 'ops/s', better: 'higher' },
    { key: 'getRate', label: `get, ${CONNECTIONS} callers`, unit: 'ops/s', better: 'higher' },
    { key: 'p50', label: 'latency p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'latency p99', unit: 'ms', better: 'lower' },
    { key: 'apiRssMb', label: 'api RSS under load', unit: 'MB', better: 'lower', ratio: false },
  ],
  contenders: [
    {
      name: 'redproc api, HTTP',
      note: `PUT / GET \`/v1/dicts/shared/:key\` with a Bearer key, ${CONNECTIONS} keep-alive connections`,
      run: (env) =>
        withApi(env, async (url) => {
          const pool = new Pool(url, { connections: CONNECTIONS })
          const headers = { authorization: `Bearer ${AUTHKEY}`, 'content-type': 'application/json' }
          const send = async (method: 'GET' | 'PUT', path: string, body?: string) => {
            const reply = await pool.request({ method, path, headers, body })
            const text = await reply.body.text()
            if (reply.statusCode >= 300)
              throw new Error(`${method} ${path}: ${reply.statusCode} ${text}`)
            return text
          }
          try {
            return await measure(env, {
              set: (key, n) => send('PUT', `/v1/dicts/shared/${key}`, `{"value":{"n":${n}}}`),
              get: async (key) => JSON.parse(await send('GET', `/v1/dicts/shared/${key}`)),
            })
          } finally {
            await pool.close()
          }
        }),
    },
    {
      name: 'RemoteManager',
      note: `\`(await RemoteManager.connect(url, { authkey })).dict('shared')\`, ${CONNECTIONS} connections`,
      run: (env) =>
        withApi(env, async (url) => {
          const manager = await RemoteManager.connect(url, {
            authkey: AUTHKEY,
            connections: CONNECTIONS,
          })
          try {
            const d = manager.dict<{ n: number }>('shared')
            return await measure(env, {
              set: (key, n) => d.set(key, { n }),
              get: (key) => d.get(key),
            })
          } finally {
            await manager.close()
          }
        }),
    },
    {
      name: 'Python BaseManager',
      note: '`BaseManager(address, authkey)` serving a dict; `DictProxy` `d[k] = v` / `d.get(k)` per thread',
      run: async (env) => {
        const result = await runToResult(
          'Python BaseManager',
          pythonChild(env.python, 'base_manager_dict', [
            String(env.n),
            String(CONNECTIONS),
            String(KEYS),
          ]),
          env.quick ? 60_000 : 300_000,
        )
        return {
          setRate: Number(result.setRate),
          getRate: Number(result.getRate),
          p50: Number(result.p50),
          p99: Number(result.p99),
        }
      },
    },
  ],
}

/** Runs the api service as its own process for one contender run; adds its peak RSS. */
async function withApi(
  env: BenchEnv,
  body: (url: string) => Promise<Record<string, number>>,
): Promise<Record<string, number>> {
  const api = await startApi({ redisUrl: env.redisUrl, namespace: env.runId, authkey: AUTHKEY })
  try {
    const figures = await body(api.url)
    const peakKb = processMemoryKb(api.service.child.pid as number, 'VmHWM') ?? Number.NaN
    return { ...figures, apiRssMb: peakKb / 1024 }
  } finally {
    await api.service.stop(5_000)
  }
}

async function measure(env: BenchEnv, ops: DictOps): Promise<Record<string, number>> {
  const latencies: number[] = []
  const phase = async (op: (i: number) => Promise<unknown>) => {
    let next = 0
    const caller = async () => {
      while (next < env.n) {
        const i = next++
        const started = performance.now()
        await op(i)
        latencies.push(performance.now() - started)
      }
    }
    const started = performance.now()
    await Promise.all(Array.from({ length: CONNECTIONS }, caller))
    return perSecond(env.n, performance.now() - started)
  }
  await ops.set('warm-up', 0)
  const setRate = await phase((i) => ops.set(`k${i % KEYS}`, i))
  const getRate = await phase((i) => ops.get(`k${i % KEYS}`))
  return { setRate, getRate, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}
