import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { connect } from '@redproc/shared'
import { Redis } from 'ioredis'
import { HandBatchedQueue } from '../children/hand-batched-queue.js'
import { makeItems, runTimeoutMs } from '../items.js'
import {
  type BenchChild,
  startChildren,
  stopChildren,
  tsChild,
  waitForTotal,
} from '../processes.js'
import { REDIS_WORK_METRICS } from '../redis-work.js'
import { perSecond, withCallers } from '../stats.js'
import type { BenchEnv, Workload } from '../workload.js'

const run = promisify(execFile)
const CONSUMERS = 2
/** Puts in flight at once, as redis-benchmark's default 50 clients. */
const PRODUCER_CALLERS = 50
/**
 * Gets in flight in each consumer process: with 2 consumers, 50 in all, as
 * the puts and redis-benchmark's clients. Both contenders wait alike: each
 * in-flight get is a loop awaiting one item at a time.
 */
const CONSUMER_CALLERS = 25

/** Workload 3: a plain queue, one producer and 2 consumer processes. */
export const plainQueue: Workload = {
  id: 'plain-queue',
  title: 'Plain queue put/get',
  description: `The producer puts N items one per call, ${PRODUCER_CALLERS} calls in flight; ${CONSUMERS} consumer processes (started and waiting beforehand) each run ${CONSUMER_CALLERS} loops that take one item per call, awaited one at a time (${CONSUMERS * CONSUMER_CALLERS} gets in flight in all), on one blocking connection per process. The clock runs from the first put to the last item taken. redis-benchmark runs LPUSH then RPOP with 50 clients at -P 1 on the same Redis: the limit of one command per item, which batching can pass.`,
  metrics: [
    {
      key: 'throughput',
      label: 'end to end (redis-benchmark: RPOP)',
      unit: 'items/s',
      better: 'higher',
    },
    { key: 'put', label: 'puts (redis-benchmark: LPUSH)', unit: 'items/s', better: 'higher' },
    ...REDIS_WORK_METRICS,
  ],
  contenders: [
    {
      name: 'redproc',
      note: '`queue.put(item)` → consumers `await queue.get()`',
      run: (env) =>
        pipeline(
          env,
          'redproc consumer',
          tsChild('consumer-redproc-queue', {
            redis: env.redisUrl,
            namespace: env.runId,
            name: 'items',
            concurrency: CONSUMER_CALLERS,
          }),
          async () => {
            const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
            const queue = mp.queue('items')
            return {
              put: (item) => queue.put(item),
              async close() {
                await queue.close()
                await mp.close()
              },
            }
          },
        ),
    },
    {
      name: 'hand-batched ioredis',
      note: 'hand-written, about 40 lines: one `RPUSH` per event-loop turn of puts → consumers share one `BLMPOP … COUNT` per connection, items handed to the waiting gets, `JSON.parse`',
      run: (env) =>
        handWritten(env, 'hand-batched consumer', 'consumer-hand-batched', (redis, key) => {
          const queue = new HandBatchedQueue(redis, key)
          return (item) => queue.put(item)
        }),
    },
    {
      name: 'ioredis BRPOP loop',
      note: 'hand-written, naive: one `LPUSH key JSON` per put → consumers `BRPOP key 0` + `JSON.parse` in loops sharing one connection',
      run: (env) =>
        handWritten(
          env,
          'BRPOP consumer',
          'consumer-brpop',
          (redis, key) => (item) => redis.lpush(key, JSON.stringify(item)),
        ),
    },
    {
      name: 'redis-benchmark',
      note: '`redis-benchmark -t lpush,rpop -P 1 -c 50`: no client library, no decoding',
      run: async (env) => {
        const { stdout } = await run('redis-benchmark', [
          ...['-h', '127.0.0.1', '-p', String(env.redisPort)],
          ...['-t', 'lpush,rpop', '-P', '1', '-c', '50', '-n', String(env.n), '--csv'],
        ])
        const rps = (test: string) => {
          const line = stdout.split('\n').find((l) => l.startsWith(`"${test}"`))
          if (!line) throw new Error(`redis-benchmark printed no ${test} line:\n${stdout}`)
          return Number(line.split(',')[1]?.replaceAll('"', ''))
        }
        const admin = new Redis(env.redisUrl)
        await admin.del('mylist')
        admin.disconnect()
        return { throughput: rps('RPOP'), put: rps('LPUSH') }
      },
    },
  ],
}

interface Producer {
  put(item: { n: number }): Promise<unknown>
  close(): Promise<void>
}

/** A hand-written contender: its consumer child and its put, on one ioredis connection and one list. */
function handWritten(
  env: BenchEnv,
  label: string,
  child: string,
  makePut: (redis: Redis, key: string) => Producer['put'],
): Promise<Record<string, number>> {
  const key = `${env.runId}:list`
  return pipeline(
    env,
    label,
    tsChild(child, { redis: env.redisUrl, key, concurrency: CONSUMER_CALLERS }),
    async () => {
      const redis = new Redis(env.redisUrl)
      return {
        put: makePut(redis, key),
        close: async () => {
          redis.disconnect()
        },
      }
    },
  )
}

async function pipeline(
  env: BenchEnv,
  label: string,
  consumerCommand: string[],
  openProducer: () => Promise<Producer>,
): Promise<Record<string, number>> {
  let children: BenchChild[] = []
  try {
    children = await startChildren(CONSUMERS, label, () => consumerCommand)
    const producer = await openProducer()
    const items = makeItems(env.n)
    let putsDone: number
    let finished: number
    const started = performance.now()
    try {
      await withCallers(env.n, PRODUCER_CALLERS, (i) => producer.put(items[i] as { n: number }))
      putsDone = performance.now()
      await waitForTotal(children, env.n, runTimeoutMs(env))
      finished = performance.now()
    } finally {
      await producer.close()
    }
    const done = await stopChildren(children)
    return {
      throughput: perSecond(env.n, finished - started),
      put: perSecond(env.n, putsDone - started),
      consumerCpuMs: done.reduce((sum, d) => sum + Number(d.cpuMs), 0),
    }
  } finally {
    for (const child of children) child.kill()
  }
}
