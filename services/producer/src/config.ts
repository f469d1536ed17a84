import {
  type CommonConfig,
  ConfigError,
  commonConfig,
  HTTP_FLAGS,
  type HttpConfig,
  httpConfig,
  integer,
  objectName,
  parseFlags,
  setting,
} from '@redproc/service-kit'
import { POOL_DEFAULTS } from '@redproc/shared'

const FLAGS = {
  ...HTTP_FLAGS,
  'max-batch': { type: 'string' },
  'max-wait-ms': { type: 'string' },
  generate: { type: 'boolean' },
  queue: { type: 'string' },
  'sleep-scale-ms': { type: 'string' },
} as const

export const USAGE = `usage: producer [--port 3001] [--host 127.0.0.1] [--insecure-loopback]
                [--max-batch 10000] [--max-wait-ms 300000] [--body-limit-bytes N]
       producer --generate [--queue tasks] [--sleep-scale-ms 1000]
env: REDIS_URL, REDPROC_NAMESPACE, REDPROC_AUTHKEY, PORT, HOST, LOG_LEVEL,
     REDPROC_MAX_BATCH, REDPROC_MAX_WAIT_MS, REDPROC_GRACE_MS, REDPROC_QUEUE`

/** The HTTP producer: jobs over HTTP onto joinable queues. */
export interface ServeConfig extends HttpConfig {
  mode: 'serve'
  /** The most jobs one POST may carry. */
  maxBatch: number
  /** The longest a request may wait (`?wait=`, join's `?timeout=`), in ms. */
  maxWaitMs: number
}

/** The seed's random producer, straight onto a queue. */
export interface GenerateConfig extends CommonConfig {
  mode: 'generate'
  queue: string
  /** The random sleep between jobs is random() times this, in ms (the seed: seconds). */
  sleepScaleMs: number
}

export type Config = ServeConfig | GenerateConfig | { mode: 'help' }

/** The producer's whole config, from flags and environment, checked once. */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const flags = parseFlags(argv, FLAGS)
  if (flags.help) return { mode: 'help' }
  if (flags.generate) {
    const unused = ['port', 'host', 'max-batch', 'max-wait-ms', 'insecure-loopback'].filter(
      (flag) => flags[flag as keyof typeof flags] !== undefined,
    )
    if (unused.length > 0) throw new ConfigError(`--generate takes no --${unused[0]}`)
    return {
      mode: 'generate',
      ...commonConfig(flags, env),
      queue: setting(
        objectName,
        flags.queue ?? env.REDPROC_QUEUE ?? POOL_DEFAULTS.queue,
        '--queue/REDPROC_QUEUE',
      ),
      sleepScaleMs: setting(
        integer(0, 60_000),
        flags['sleep-scale-ms'] ?? 1000,
        '--sleep-scale-ms',
      ),
    }
  }
  if (flags.queue !== undefined || flags['sleep-scale-ms'] !== undefined) {
    throw new ConfigError('--queue and --sleep-scale-ms go with --generate')
  }
  return {
    mode: 'serve',
    ...httpConfig(flags, env, 3001),
    maxBatch: setting(
      integer(1, 100_000),
      flags['max-batch'] ?? env.REDPROC_MAX_BATCH ?? 10_000,
      '--max-batch/REDPROC_MAX_BATCH',
    ),
    maxWaitMs: setting(
      integer(0, 3_600_000),
      flags['max-wait-ms'] ?? env.REDPROC_MAX_WAIT_MS ?? 300_000,
      '--max-wait-ms/REDPROC_MAX_WAIT_MS',
    ),
  }
}
