import { connect } from '@redproc/shared'
import BeeQueue from 'bee-queue'
import { Queue } from 'bullmq'
import { makeItems } from '../items.js'
import { percentile, perSecond, timedSequence } from '../stats.js'
import type { Workload } from '../workload.js'

/** Workload 2: one producer, one awaited put at a time, nobody consuming. */
export const putRate: Workload = {
  id: 'put-rate',
  title: 'Single put rate',
  description:
    'N puts of one item each, every put awaited before the next; nobody consumes. Measures the cost of one enqueue round trip.',
  metrics: [
    { key: 'rate', label: 'puts', unit: 'ops/s', better: 'higher' },
    { key: 'p50', label: 'put latency p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'put latency p99', unit: 'ms', better: 'lower' },
  ],
  contenders: [
    {
      name: 'redproc',
      note: '`joinableQueue.put(item)`',
      run: async (env) => {
        const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
        try {
          const queue = mp.joinableQueue('jobs')
          const items = makeItems(env.n)
          const figures = summarize(
            await timedSequence(env.n, (i) => queue.put(items[i] as { n: number })),
          )
          await queue.close()
          return figures
        } finally {
          await mp.close()
        }
      },
    },
    {
      name: 'BullMQ',
      note: '`queue.add(name, data, { removeOnComplete: true })`',
      run: async (env) => {
        const queue = new Queue(env.runId, {
          connection: { host: '127.0.0.1', port: env.redisPort },
        })
        try {
          await queue.waitUntilReady()
          const items = makeItems(env.n)
          return summarize(
            await timedSequence(env.n, (i) =>
              queue.add('job', items[i], { removeOnComplete: true }),
            ),
          )
        } finally {
          await queue.close()
        }
      },
    },
    {
      name: 'bee-queue',
      note: '`queue.createJob(data).save()`',
      run: async (env) => {
        const queue = new BeeQueue(env.runId, {
          redis: { host: '127.0.0.1', port: env.redisPort },
          isWorker: false,
          getEvents: false,
          removeOnSuccess: true,
        })
        try {
          await queue.ready()
          const items = makeItems(env.n)
          return summarize(await timedSequence(env.n, (i) => queue.createJob(items[i]).save()))
        } finally {
          await queue.close()
        }
      },
    },
  ],
}

function summarize(latencies: number[]) {
  const total = latencies.reduce((sum, l) => sum + l, 0)
  return {
    rate: perSecond(latencies.length, total),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  }
}
