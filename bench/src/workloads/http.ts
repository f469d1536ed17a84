/**
 * Workload 7: jobs over HTTP. The producer and 2 consumers run as the
 * services they are (`services/producer`, `services/consumer`), started and
 * waiting beforehand; the benchmark posts N jobs in batches of 100 over 8
 * keep-alive connections, then long-polls join. Against BullMQ's own
 * `addBulk` and 2 Worker processes on the same Redis (workload 1's).
 */
import { runTimeoutMs } from '../items.js'
import { processMemoryKb, type Service, serviceMain, startService } from '../services.js'
import { perSecond } from '../stats.js'
import type { BenchEnv, Workload } from '../workload.js'
import { bullmqEndToEnd, CONSUMER_CONCURRENCY, CONSUMERS } from './end-to-end.js'

const BATCH = 100
/** Slots per consumer service: each is a queue handle of its own, taking one job at a time. */
const SERVICE_CONCURRENCY = 8
const CONNECTIONS = 8
const AUTHKEY = 'bench-authkey-0123456789abcdef'

export const http: Workload = {
  id: 'http',
  title: 'Jobs over HTTP',
  description: `The producer service and ${CONSUMERS} consumer services (concurrency ${SERVICE_CONCURRENCY}) run as their own processes, started beforehand. N jobs \`{ task: 'double', args: [i] }\` are posted in batches of ${BATCH} over ${CONNECTIONS} keep-alive connections; submit = until the last batch is accepted; end to end = until \`POST /join\` answers. Each result is stored in its job (kept a day). BullMQ: workload 1's \`addBulk\` of N (removeOnComplete) into ${CONSUMERS} Worker processes (concurrency ${CONSUMER_CONCURRENCY}) with an empty processor. Consumer RSS is sampled every 20 ms from /proc.`,
  metrics: [
    { key: 'throughput', label: 'end to end', unit: 'jobs/s', better: 'higher' },
    { key: 'enqueue', label: 'submit (HTTP batches vs addBulk)', unit: 'jobs/s', better: 'higher' },
    { key: 'peakRssMb', label: 'consumer RSS under load', unit: 'MB', better: 'lower' },
  ],
  contenders: [
    {
      name: 'redproc over HTTP',
      note: '`POST /v1/queues/:name/jobs` batches → consumer services → `POST /join`',
      run: (env) => httpEndToEnd(env),
    },
    {
      name: 'BullMQ',
      note: '`addBulk` (removeOnComplete) → `Worker` processes, no HTTP',
      run: async (env) => {
        const figures = await bullmqEndToEnd(env, true)
        return {
          throughput: figures.throughput,
          enqueue: figures.enqueue,
          peakRssMb: figures.peakRssMb,
        }
      },
    },
  ],
}

async function httpEndToEnd(env: BenchEnv): Promise<Record<string, number>> {
  const services: Service[] = []
  try {
    const serviceEnv = { REDIS_URL: env.redisUrl, REDPROC_NAMESPACE: env.runId, LOG_LEVEL: 'warn' }
    const producer = startService([serviceMain('producer')], {
      ...serviceEnv,
      REDPROC_AUTHKEY: AUTHKEY,
      PORT: '0',
      // The listening line is at info.
      LOG_LEVEL: 'info',
    })
    services.push(producer)
    const consumers = Array.from({ length: CONSUMERS }, () =>
      startService([serviceMain('consumer'), '--concurrency', String(SERVICE_CONCURRENCY)], {
        ...serviceEnv,
        LOG_LEVEL: 'info',
      }),
    )
    services.push(...consumers)
    const url = String((await producer.line('producer listening')).url)
    await Promise.all(consumers.map((consumer) => consumer.line('consumer started')))
    const sampling = consumers.map((consumer) => sampleRss(consumer.child.pid as number))

    const batches = Array.from({ length: Math.ceil(env.n / BATCH) }, (_, b) => ({
      jobs: Array.from({ length: Math.min(BATCH, env.n - b * BATCH) }, (_, i) => ({
        task: 'double',
        args: [b * BATCH + i],
      })),
    }))
    const headers = { authorization: `Bearer ${AUTHKEY}`, 'content-type': 'application/json' }
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < batches.length) {
          const body = JSON.stringify(batches[next++])
          const res = await fetch(`${url}/v1/queues/tasks/jobs`, { method: 'POST', headers, body })
          if (res.status !== 201)
            throw new Error(`POST answered ${res.status}: ${await res.text()}`)
          await res.arrayBuffer()
        }
      }),
    )
    const submitted = performance.now()
    const joined = await fetch(`${url}/v1/queues/tasks/join?timeout=${runTimeoutMs(env)}`, {
      method: 'POST',
      headers,
    })
    if (joined.status !== 200) throw new Error(`join answered ${joined.status}`)
    const finished = performance.now()
    const peaks = sampling.map((sampler) => sampler.stop())
    await Promise.all(services.map((service) => service.stop()))
    return {
      throughput: perSecond(env.n, finished - started),
      enqueue: perSecond(env.n, submitted - started),
      peakRssMb: Math.max(...peaks),
    }
  } finally {
    for (const service of services) service.child.kill('SIGKILL')
  }
}

/** The peak resident set of process `pid`, read from /proc every 20 ms, in MB. */
function sampleRss(pid: number): { stop(): number } {
  let peakKb = 0
  const read = () => {
    peakKb = Math.max(peakKb, processMemoryKb(pid, 'VmRSS') ?? 0)
  }
  read()
  const timer = setInterval(read, 20)
  return {
    stop() {
      clearInterval(timer)
      read()
      return peakKb / 1024
    },
  }
}
