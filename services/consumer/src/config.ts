import { cpus } from 'node:os'
import {
  type CommonConfig,
  ConfigError,
  commonConfig,
  integer,
  objectName,
  parseFlags,
  portNumber,
  setting,
} from '@redproc/service-kit'
import { POOL_DEFAULTS } from '@redproc/shared'

const FLAGS = {
  queue: { type: 'string' },
  tasks: { type: 'string' },
  concurrency: { type: 'string' },
  threads: { type: 'string' },
  'lease-ms': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  namespace: { type: 'string' },
  'redis-url': { type: 'string' },
  'connect-timeout-ms': { type: 'string' },
  'health-port': { type: 'string' },
  'health-host': { type: 'string' },
  'log-level': { type: 'string' },
  'log-jobs': { type: 'boolean' },
  'grace-ms': { type: 'string' },
  help: { type: 'boolean' },
} as const

export const USAGE = `usage: consumer [--queue tasks] [--tasks ./tasks.js] [--concurrency 1] [--threads 0]
                [--lease-ms 30000] [--health-port N] [--log-jobs]
env: REDIS_URL, REDPROC_NAMESPACE, REDPROC_QUEUE, REDPROC_TASKS, REDPROC_CONCURRENCY,
     REDPROC_THREADS, REDPROC_LEASE_MS, REDPROC_HEALTH_PORT, LOG_LEVEL, REDPROC_GRACE_MS`

export interface Config extends CommonConfig {
  mode: 'consume'
  queue: string
  /** The tasks module: a path or URL; undefined runs the default tasks. */
  tasks: string | undefined
  concurrency: number
  /** Worker threads the tasks run on; 0 runs them on the main thread. */
  threads: number
  leaseMs: number
  heartbeatMs: number
  connectTimeoutMs: number
  /** The port of /healthz and /readyz; undefined serves none. */
  healthPort: number | undefined
  healthHost: string
  /** Log each successful job too (at info), not only failures. */
  logJobs: boolean
  graceMs: number
}

/** The consumer's whole config, from flags and environment, checked once. */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv): Config | { mode: 'help' } {
  const flags = parseFlags(argv, FLAGS)
  if (flags.help) return { mode: 'help' }
  const concurrency = setting(
    integer(1, 10_000),
    flags.concurrency ?? env.REDPROC_CONCURRENCY ?? 1,
    '--concurrency/REDPROC_CONCURRENCY',
  )
  const threads = setting(
    integer(0, 4 * cpus().length),
    flags.threads ?? env.REDPROC_THREADS ?? 0,
    '--threads/REDPROC_THREADS',
  )
  const healthPort = flags['health-port'] ?? env.REDPROC_HEALTH_PORT
  const healthHost = String(flags['health-host'] ?? env.REDPROC_HEALTH_HOST ?? '127.0.0.1')
  if (healthPort === undefined && flags['health-host'] !== undefined) {
    throw new ConfigError('--health-host goes with --health-port')
  }
  return {
    mode: 'consume',
    queue: setting(
      objectName,
      flags.queue ?? env.REDPROC_QUEUE ?? POOL_DEFAULTS.queue,
      '--queue/REDPROC_QUEUE',
    ),
    tasks: (flags.tasks ?? env.REDPROC_TASKS) as string | undefined,
    concurrency,
    threads,
    leaseMs: setting(
      integer(100, 3_600_000),
      flags['lease-ms'] ?? env.REDPROC_LEASE_MS ?? 30_000,
      '--lease-ms/REDPROC_LEASE_MS',
    ),
    heartbeatMs: setting(integer(100, 60_000), flags['heartbeat-ms'] ?? 1000, '--heartbeat-ms'),
    ...commonConfig(flags, env),
    connectTimeoutMs: setting(
      integer(100, 600_000),
      flags['connect-timeout-ms'] ?? env.REDPROC_CONNECT_TIMEOUT_MS ?? 10_000,
      '--connect-timeout-ms/REDPROC_CONNECT_TIMEOUT_MS',
    ),
    healthPort:
      healthPort === undefined
        ? undefined
        : setting(portNumber, healthPort, '--health-port/REDPROC_HEALTH_PORT'),
    healthHost,
    logJobs: Boolean(flags['log-jobs']) || env.REDPROC_LOG_JOBS === '1',
    graceMs: setting(
      integer(0, 3_600_000),
      flags['grace-ms'] ?? env.REDPROC_GRACE_MS ?? 60_000,
      '--grace-ms/REDPROC_GRACE_MS',
    ),
  }
}
