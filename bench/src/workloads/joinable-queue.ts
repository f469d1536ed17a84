import { pythonChild, runToResult } from '../processes.js'
import { REDIS_WORK_METRICS } from '../redis-work.js'
import type { Workload } from '../workload.js'
import {
  beeEndToEnd,
  bullmqEndToEnd,
  CONSUMER_CONCURRENCY,
  CONSUMERS,
  redprocEndToEnd,
} from './end-to-end.js'

/** Workload 1: a joinable queue end to end, N items through 2 consumer processes. */
export const joinableQueue: Workload = {
  id: 'joinable-queue',
  title: 'Joinable queue end to end',
  description: `The producer enqueues N items in one batch; ${CONSUMERS} consumer processes (started and waiting beforehand) take and acknowledge them; the clock stops when the producer knows every item is done. Every Node consumer keeps ${CONSUMER_CONCURRENCY} items in flight.`,
  metrics: [
    { key: 'throughput', label: 'end to end', unit: 'items/s', better: 'higher' },
    { key: 'enqueue', label: 'batch enqueue alone', unit: 'items/s', better: 'higher' },
    ...REDIS_WORK_METRICS,
  ],
  contenders: [
    {
      name: 'redproc',
      note: '`putMany` → consumers `get` + `taskDone` → `join`',
      run: async (env) => pick(await redprocEndToEnd(env)),
    },
    {
      name: 'BullMQ',
      note: '`addBulk` (removeOnComplete) → `Worker` processes; done = the workers counted N `completed` events',
      run: async (env) => pick(await bullmqEndToEnd(env)),
    },
    {
      name: 'bee-queue',
      note: '`saveAll` (removeOnSuccess) → worker processes; done = the workers counted N `succeeded` events',
      run: async (env) => pick(await beeEndToEnd(env)),
    },
    {
      name: 'Python JoinableQueue',
      note: '`multiprocessing.JoinableQueue`: `put` × N → consumer processes `get` + `task_done` → `join` (one machine only: pipes, no Redis)',
      run: async (env) => {
        const result = await runToResult(
          'Python JoinableQueue',
          pythonChild(env.python, 'joinable_queue', [String(env.n), String(CONSUMERS)]),
          env.quick ? 60_000 : 300_000,
        )
        return { throughput: Number(result.throughput), enqueue: Number(result.enqueue) }
      },
    },
  ],
}

function pick(figures: { throughput: number; enqueue: number; consumerCpuMs: number }) {
  return {
    throughput: figures.throughput,
    enqueue: figures.enqueue,
    consumerCpuMs: figures.consumerCpuMs,
  }
}
