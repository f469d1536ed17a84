/**
 * The joinable-queue pipeline shared by workload 1 (throughput) and workload 8
 * (memory): consumers start in their own processes and wait; then the
 * producer enqueues N items in one batch and waits until every item is done.
 * The clock runs from the batch call to the last item done.
 */
import { connect } from '@redproc/shared'
import BeeQueue from 'bee-queue'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { makeItems, runTimeoutMs } from '../items.js'
import { info, usedMemory } from '../private-redis.js'
import {
  type BenchChild,
  type ChildMessage,
  startChildren,
  stopChildren,
  tsChild,
  waitForTotal,
} from '../processes.js'
import { perSecond } from '../stats.js'
import type { BenchEnv } from '../workload.js'

export const CONSUMERS = 2
/** In-flight items per consumer process, as the BullMQ worker's `concurrency`. */
export const CONSUMER_CONCURRENCY = 50

export interface EndToEnd {
  /** Items per second from the batch call to the last item done. */
  throughput: number
  /** Items per second of the batch call alone. */
  enqueue: number
  /** Consumers' RSS once connected and idle, the larger of the two, MB. */
  idleRssMb: number
  /** Consumers' peak RSS while working, the larger of the two, MB. */
  peakRssMb: number
  /** CPU time of all consumer processes, ms. */
  consumerCpuMs: number
  /** Redis `used_memory` before the consumers started and after everything closed, MB. */
  redisBeforeMb: number
  redisAfterMb: number
}

interface Producer {
  /** Enqueues every item in one batch. */
  enqueue(items: Array<{ n: number }>): Promise<void>
  /** Resolves when every item is done. */
  finished(consumers: BenchChild[], n: number): Promise<void>
  close(): Promise<void>
}

async function measure(
  env: BenchEnv,
  label: string,
  consumerCommand: (rss: boolean) => string[],
  openProducer: () => Promise<Producer>,
  sampleRss: boolean,
): Promise<EndToEnd> {
  const admin = new Redis(env.redisUrl)
  const children: BenchChild[] = []
  try {
    const before = await usedMemory(admin)
    const clientsBefore = await connectedClients(admin)
    children.push(...(await startChildren(CONSUMERS, label, () => consumerCommand(sampleRss))))
    const producer = await openProducer()
    const items = makeItems(env.n)
    let enqueued: number
    let finished: number
    const started = performance.now()
    try {
      await producer.enqueue(items)
      enqueued = performance.now()
      await producer.finished(children, env.n)
      finished = performance.now()
    } finally {
      await producer.close()
    }
    const done = await stopChildren(children)
    await clientsGone(admin, clientsBefore)
    const after = await usedMemory(admin)
    return {
      throughput: perSecond(env.n, finished - started),
      enqueue: perSecond(env.n, enqueued - started),
      ...childFigures(done),
      redisBeforeMb: before / 2 ** 20,
      redisAfterMb: after / 2 ** 20,
    }
  } finally {
    for (const child of children) child.kill()
    admin.disconnect()
  }
}

async function connectedClients(admin: Redis): Promise<number> {
  return Number((await info(admin, 'clients')).connected_clients)
}

/** Redis frees a closed client's buffers a moment after the socket closes; wait for that. */
async function clientsGone(admin: Redis, expected: number): Promise<void> {
  const deadline = Date.now() + 2000
  while ((await connectedClients(admin)) > expected && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10))
}

function childFigures(done: ChildMessage[]) {
  return {
    idleRssMb: Math.max(...done.map((d) => Number(d.idleRssMb))),
    peakRssMb: Math.max(...done.map((d) => Number(d.peakRssMb))),
    consumerCpuMs: done.reduce((sum, d) => sum + Number(d.cpuMs), 0),
  }
}

/** redproc: `putMany` then `join`, consumers get + taskDone. */
export function redprocEndToEnd(env: BenchEnv, sampleRss = false): Promise<EndToEnd> {
  const name = 'jobs'
  return measure(
    env,
    'redproc consumer',
    (rss) =>
      tsChild('consumer-redproc-joinable', {
        redis: env.redisUrl,
        namespace: env.runId,
        name,
        concurrency: CONSUMER_CONCURRENCY,
        rss,
      }),
    async () => {
      const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
      const queue = mp.joinableQueue(name)
      return {
        enqueue: (items) => queue.putMany(items),
        finished: () => queue.join({ timeout: runTimeoutMs(env) }),
        async close() {
          await queue.close()
          await mp.close()
        },
      }
    },
    sampleRss,
  )
}

/** Raw BullMQ: `addBulk` with removeOnComplete, Worker processes count completions. */
export function bullmqEndToEnd(env: BenchEnv, sampleRss = false): Promise<EndToEnd> {
  return measure(
    env,
    'BullMQ worker',
    (rss) =>
      tsChild('consumer-bullmq', {
        port: env.redisPort,
        name: env.runId,
        concurrency: CONSUMER_CONCURRENCY,
        rss,
      }),
    async () => {
      const queue = new Queue(env.runId, { connection: { host: '127.0.0.1', port: env.redisPort } })
      await queue.waitUntilReady()
      return {
        async enqueue(items) {
          await queue.addBulk(
            items.map((data) => ({ name: 'job', data, opts: { removeOnComplete: true } })),
          )
        },
        finished: (consumers, n) => waitForTotal(consumers, n, runTimeoutMs(env)),
        close: () => queue.close(),
      }
    },
    sampleRss,
  )
}

/** bee-queue: `saveAll` with removeOnSuccess, worker processes count successes. */
export function beeEndToEnd(env: BenchEnv, sampleRss = false): Promise<EndToEnd> {
  return measure(
    env,
    'bee-queue worker',
    (rss) =>
      tsChild('consumer-bee', {
        port: env.redisPort,
        name: env.runId,
        concurrency: CONSUMER_CONCURRENCY,
        rss,
      }),
    async () => {
      const queue = new BeeQueue(env.runId, {
        redis: { host: '127.0.0.1', port: env.redisPort },
        isWorker: false,
        getEvents: false,
        removeOnSuccess: true,
      })
      await queue.ready()
      return {
        async enqueue(items) {
          const errors = await queue.saveAll(items.map((data) => queue.createJob(data)))
          if (errors.size > 0) throw [...errors.values()][0]
        },
        finished: (consumers, n) => waitForTotal(consumers, n, runTimeoutMs(env)),
        close: () => queue.close(),
      }
    },
    sampleRss,
  )
}
