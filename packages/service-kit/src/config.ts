import { isIP } from 'node:net'
import { type ParseArgsConfig, parseArgs } from 'node:util'

/** A bad flag or environment variable: the service says this one line and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

type FlagSpec = NonNullable<ParseArgsConfig['options']>

/** The flags every HTTP service takes, beside its own. */
export const HTTP_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  namespace: { type: 'string' },
  'redis-url': { type: 'string' },
  'log-level': { type: 'string' },
  'grace-ms': { type: 'string' },
  'body-limit-bytes': { type: 'string' },
  'insecure-loopback': { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies FlagSpec

/** What every HTTP service is configured with. */
export interface HttpConfig extends CommonConfig {
  port: number
  host: string
  /** Undefined only for a loopback service started with --insecure-loopback. */
  authkey: string | undefined
  graceMs: number
  bodyLimitBytes: number
}

/** The flags of `argv`: unknown flags and stray arguments are refused, naming the known ones. */
export function parseFlags<F extends FlagSpec>(
  argv: string[],
  flags: F,
): { [K in keyof F]?: string | boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: flags,
      strict: true,
      allowPositionals: false,
    })
    return values as { [K in keyof F]?: string | boolean }
  } catch (error) {
    const known = Object.keys(flags)
      .map((flag) => `--${flag}`)
      .join(', ')
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new ConfigError(`${message} (known flags: ${known})`)
  }
}

/** Checks a setting's text and returns its value, or throws an Error saying what to use. */
export type Check<T> = (text: string) => T

/**
 * `value` (a flag, a variable or a default) checked by `check`, or a
 * ConfigError naming the flag or variable: `--port/PORT is "eighty": use …`.
 * Plain checks rather than a schema library: a consumer's memory is its
 * dependencies' first, and it runs many times over.
 */
export function setting<T>(
  check: Check<T>,
  value: string | number | boolean | undefined,
  name: string,
): T {
  try {
    return check(String(value))
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new ConfigError(`${name} is ${JSON.stringify(String(value))}: ${why}`)
  }
}

export const integer =
  (min: number, max: number): Check<number> =>
  (text) => {
    const n = Number(text)
    if (!/^\s*-?\d+\s*$/.test(text) || n < min || n > max) {
      throw new Error(`use a whole number from ${min} to ${max}`)
    }
    return n
  }

export const matching =
  (pattern: RegExp, hint: string): Check<string> =>
  (text) => {
    if (!pattern.test(text)) throw new Error(hint)
    return text
  }

export const oneOf =
  <const V extends string>(...values: V[]): Check<V> =>
  (text) => {
    if (!(values as string[]).includes(text)) throw new Error(`use one of ${values.join(', ')}`)
    return text as V
  }

export const portNumber = integer(0, 65_535)
export const logLevel = oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent')
export const objectName = matching(
  /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/,
  'use 1-200 letters, digits or . _ : -',
)
export const redisUrl = matching(/^rediss?:\/\/./, 'use redis://host:port')
export const nonEmpty = matching(/./, 'must not be empty')

/**
 * The settings every HTTP service shares, from flags first, then the
 * environment, then defaults. Refuses to run without an authkey unless the
 * service listens on loopback only and `--insecure-loopback` says so.
 */
export function httpConfig(
  flags: { [K in keyof typeof HTTP_FLAGS]?: string | boolean },
  env: NodeJS.ProcessEnv,
  defaultPort: number,
): HttpConfig {
  const host = setting(nonEmpty, flags.host ?? env.HOST ?? '127.0.0.1', '--host/HOST')
  const authkey = env.REDPROC_AUTHKEY || undefined
  if (authkey !== undefined && authkey.length < 16) {
    throw new ConfigError('REDPROC_AUTHKEY is too short: use at least 16 characters')
  }
  if (authkey === undefined) {
    if (!flags['insecure-loopback']) {
      throw new ConfigError(
        'REDPROC_AUTHKEY is not set: set it, or listen on loopback only with --insecure-loopback',
      )
    }
    if (!isLoopback(host)) {
      throw new ConfigError(`--insecure-loopback needs a loopback --host, not ${host}`)
    }
  }
  return {
    port: setting(portNumber, flags.port ?? env.PORT ?? defaultPort, '--port/PORT'),
    host,
    ...commonConfig(flags, env),
    authkey,
    graceMs: setting(
      integer(0, 3_600_000),
      flags['grace-ms'] ?? env.REDPROC_GRACE_MS ?? 30_000,
      '--grace-ms/REDPROC_GRACE_MS',
    ),
    bodyLimitBytes: setting(
      integer(1024, 1 << 30),
      flags['body-limit-bytes'] ?? env.REDPROC_BODY_LIMIT_BYTES ?? 16 << 20,
      '--body-limit-bytes/REDPROC_BODY_LIMIT_BYTES',
    ),
  }
}

/** Where every service finds Redis and its objects, and how much it logs. */
export interface CommonConfig {
  redisUrl: string
  namespace: string
  logLevel: string
}

/** The settings of every service, HTTP or not: --redis-url, --namespace, --log-level. */
export function commonConfig(
  flags: {
    'redis-url'?: string | boolean
    namespace?: string | boolean
    'log-level'?: string | boolean
  },
  env: NodeJS.ProcessEnv,
): CommonConfig {
  return {
    redisUrl: setting(
      redisUrl,
      flags['redis-url'] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      '--redis-url/REDIS_URL',
    ),
    namespace: setting(
      objectName,
      flags.namespace ?? env.REDPROC_NAMESPACE ?? 'default',
      '--namespace/REDPROC_NAMESPACE',
    ),
    logLevel: setting(
      logLevel,
      flags['log-level'] ?? env.LOG_LEVEL ?? 'info',
      '--log-level/LOG_LEVEL',
    ),
  }
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}

/**
 * Runs `read` and returns the config, or prints its one-line error (no
 * stack) and exits 1: how a service starts with a bad flag or variable.
 */
export function configOrExit<T>(service: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`${service}: ${error.message}\n`)
    process.exit(1)
  }
}
