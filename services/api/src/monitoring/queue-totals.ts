import { RUN_TIME_BOUNDS_MS } from '@redproc/shared'
import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client'
import type { Monitor } from './monitor.js'

type Labels = 'queue' | 'outcome' | 'le'

/**
 * The counters each queue keeps in Redis, whichever process finished the
 * jobs — lifetime totals and run times, which outlive the jobs retention
 * removes — exposed as they are, not sampled by this api: a Prometheus
 * counter `redproc_jobs_finished_total{queue,outcome}` and a histogram
 * `redproc_job_run_seconds{queue}`.
 */
export function registerQueueTotals(registry: Registry, monitor: Monitor): void {
  registry.registerMetric(
    collected(
      'redproc_jobs_finished_total',
      'counter',
      'Jobs finished since each queue was made, by outcome',
      async () =>
        (await monitor.snapshot()).queues.flatMap((queue) => [
          { labels: { queue: queue.name, outcome: 'completed' }, value: queue.totals.completed },
          { labels: { queue: queue.name, outcome: 'failed' }, value: queue.totals.failed },
        ]),
    ),
  )
  registry.registerMetric(
    collected(
      'redproc_job_run_seconds',
      'histogram',
      'Run time of the tasks serving processes finished',
      async () =>
        (await monitor.snapshot()).queues.flatMap((queue) => {
          const values: Array<MetricValueWithName<Labels>> = []
          let cumulative = 0
          for (const [i, n] of queue.runTimes.buckets.entries()) {
            cumulative += n
            const bound = RUN_TIME_BOUNDS_MS[i]
            values.push({
              metricName: 'redproc_job_run_seconds_bucket',
              labels: {
                queue: queue.name,
                le: bound === undefined ? '+Inf' : String(bound / 1000),
              },
              value: cumulative,
            })
          }
          const labels = { queue: queue.name }
          values.push(
            { metricName: 'redproc_job_run_seconds_count', labels, value: cumulative },
            {
              metricName: 'redproc_job_run_seconds_sum',
              labels,
              value: queue.runTimes.totalMs / 1000,
            },
          )
          return values
        }),
    ),
  )
}

/** A metric whose values are read at scrape time, in the shape prom-client's registry prints. */
function collected(
  name: string,
  type: 'counter' | 'histogram',
  help: string,
  read: () => Promise<Array<MetricValueWithName<Labels>>>,
): Metric<Labels> {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    async get(): Promise<MetricObjectWithValues<MetricValueWithName<Labels>>> {
      return { name, help, type, aggregator: 'sum', values: await read() } as never
    },
    reset() {},
  }
  return metric as unknown as Metric<Labels>
}
