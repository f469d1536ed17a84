#!/usr/bin/env node
// The consumer: reads its config, loads the tasks, connects, serves the
// queue, and on the first SIGTERM/SIGINT finishes its active jobs and exits 0.
import {
  configOrExit,
  connectOrExit,
  createLogger,
  type Listening,
  listenOrExit,
  stopOnSignals,
} from '@redproc/service-kit'
import { type FinishedJob, serve } from '@redproc/shared'
import { readConfig, USAGE } from './config.js'
import { loadTasks, TasksModuleError, tasksModuleUrl } from './load-tasks.js'

const config = configOrExit('consumer', () => readConfig(process.argv.slice(2), process.env))
if (config.mode === 'help') {
  console.log(USAGE)
  process.exit(0)
}
const logger = createLogger({ name: 'consumer', level: config.logLevel })
const tasksUrl = tasksModuleUrl(config.tasks)
const tasks = await loadTasks(tasksUrl).catch((error: unknown) => {
  if (!(error instanceof TasksModuleError)) throw error
  process.stderr.write(`consumer: ${error.message}\n`)
  process.exit(1)
})
const mp = await connectOrExit(
  'consumer',
  {
    redis: config.redisUrl,
    namespace: config.namespace,
    connectTimeoutMs: config.connectTimeoutMs,
  },
  logger,
)

const jobs = logger.child({ component: 'jobs' })
const onFinished = (job: FinishedJob) => {
  if (job.error) jobs.warn(job, 'job failed')
  else if (config.logJobs) jobs.info(job, 'job done')
}
const worker = await serve(mp, {
  queue: config.queue,
  tasks,
  concurrency: config.concurrency,
  lease: config.leaseMs,
  heartbeatMs: config.heartbeatMs,
  onFinished,
  ...(config.threads > 0 ? { threads: { module: tasksUrl, count: config.threads } } : {}),
})
let health: Listening | undefined
if (config.healthPort !== undefined) {
  // Express is loaded only for the probes: a consumer without them stays lean.
  const { createApp } = await import('./app.js')
  health = await listenOrExit(
    'consumer',
    createApp({ mp, worker, logger }),
    config.healthPort,
    config.healthHost,
  )
}
logger.info(
  {
    worker: worker.id,
    queue: config.queue,
    namespace: config.namespace,
    concurrency: config.concurrency,
    threads: config.threads,
    tasks: Object.keys(tasks),
    ...(health ? { health: health.url } : {}),
  },
  'consumer started',
)

stopOnSignals({
  logger,
  graceMs: config.graceMs,
  stop: async () => {
    await worker.stop()
    const { processed, failed } = worker.info()
    logger.info({ worker: worker.id, processed, failed }, 'consumer left the worker list')
    await health?.close(1000)
    await mp.close()
  },
})
