import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestHandler } from 'express'
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Monitor } from './monitor.js'
import { registerQueueTotals } from './queue-totals.js'

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'unfinished'] as const

/**
 * The Prometheus registry of one api: process metrics, HTTP request
 * durations, and queue and worker gauges read from the monitor at scrape
 * time — `redproc_queue_jobs{state="waiting"}` is what an autoscaler watches.
 */
export interface Metrics {
  registry: Registry
  /** Times every request the express app serves, by the route that matched. */
  observe: RequestHandler
  /** Times a request served without express, as `route`. */
  observeRoute(req: IncomingMessage, res: ServerResponse, route: string): void
}

export function createMetrics(monitor: Monitor): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'redproc_api_' })

  const requests = new Histogram({
    name: 'redproc_http_request_duration_seconds',
    help: 'HTTP requests to the api, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  // The first of the three to be read fills all three, from one snapshot.
  const jobs: Gauge<'queue' | 'state'> = new Gauge({
    name: 'redproc_queue_jobs',
    help: 'Jobs of each joinable queue, by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const snapshot = await monitor.snapshot()
      jobs.reset()
      rates.reset()
      workers.reset()
      for (const queue of snapshot.queues) {
        for (const state of STATES) jobs.set({ queue: queue.name, state }, queue[state])
        rates.set({ queue: queue.name, outcome: 'completed' }, queue.completedPerSecond)
        rates.set({ queue: queue.name, outcome: 'failed' }, queue.failedPerSecond)
        workers.set({ queue: queue.name }, 0)
      }
      for (const worker of snapshot.workers) {
        if (worker.state === 'live') workers.inc({ queue: worker.queue })
      }
    },
  })
  const rates = new Gauge({
    name: 'redproc_queue_jobs_per_second',
    help: 'Jobs finished per second over the last minute, by outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  })
  registerQueueTotals(registry, monitor)
  const workers = new Gauge({
    name: 'redproc_workers',
    help: 'Serving processes with a live heartbeat, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  })

  /** `route` is read once the request finished, when express has matched it. */
  const time = (req: IncomingMessage, res: ServerResponse, route: () => string) => {
    const end = requests.startTimer()
    res.on('finish', () => {
      end({ method: req.method, route: route(), status: String(res.statusCode) })
    })
  }
  return {
    registry,
    observe: (req, res, next) => {
      // The route's pattern, not its path: one series per route, whatever the names in it.
      time(req, res, () => (req.route ? `${req.baseUrl}${req.route.path}` : 'unmatched'))
      next()
    },
    observeRoute: (req, res, route) => time(req, res, () => route),
  }
}
