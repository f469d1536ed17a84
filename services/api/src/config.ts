import { parseArgs } from 'node:util'
import { validateName } from '@redproc/shared'

export interface ApiConfig {
  /** @default 3000 */
  port: number
  /** @default '127.0.0.1' (set HOST=0.0.0.0 in a container) */
  host: string
  /** @default process.env.REDIS_URL, else 'redis://127.0.0.1:6379' */
  redisUrl: string
  /** @default 'default' */
  namespace: string
  /** The Bearer key of every /v1 route and of the dashboard; undefined only with insecureLoopback. */
  authkey: string | undefined
  /** Serve without a key: allowed only on a loopback host. @default false */
  insecureLoopback: boolean
  /** Origins allowed by CORS; empty turns CORS off. @default [] */
  corsOrigins: string[]
  /** Requests per minute per client address on /v1; 0 turns the limit off. @default 6000 */
  rateLimitPerMinute: number
  /** The largest request body, in bytes. @default 1048576 */
  bodyLimitBytes: number
  /** pino's level. @default 'info' */
  logLevel: string
}

const USAGE = `usage: redproc-api [--port N] [--host H] [--redis-url URL] [--namespace NS] [--log-level L]
                   [--cors-origin URL]... [--rate-limit PER_MINUTE] [--body-limit BYTES]
                   [--insecure-loopback]
environment: PORT, HOST, REDIS_URL, REDPROC_NAMESPACE, REDPROC_AUTHKEY, LOG_LEVEL,
             REDPROC_CORS_ORIGINS (comma-separated), REDPROC_RATE_LIMIT, REDPROC_BODY_LIMIT`

/** A configuration error: main prints its one line and exits 1. */
export class ConfigError extends Error {}

/** Reads flags (which win) and the environment into a complete, checked config. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ApiConfig {
  let flags: ReturnType<typeof parseFlags>
  try {
    flags = parseFlags(argv)
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`)
  }
  const { values } = flags
  const host = values.host ?? env.HOST ?? '127.0.0.1'
  const config: ApiConfig = {
    port: integer(values.port ?? env.PORT ?? '3000', 'port', 0, 65_535),
    host,
    redisUrl: values['redis-url'] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    namespace: checkNamespace(values.namespace ?? env.REDPROC_NAMESPACE ?? 'default'),
    authkey: env.REDPROC_AUTHKEY || undefined,
    logLevel: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
    insecureLoopback: values['insecure-loopback'] ?? false,
    corsOrigins:
      values['cors-origin'] ??
      (env.REDPROC_CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    rateLimitPerMinute: integer(
      values['rate-limit'] ?? env.REDPROC_RATE_LIMIT ?? '6000',
      'rate limit',
      0,
      1e9,
    ),
    bodyLimitBytes: integer(
      values['body-limit'] ?? env.REDPROC_BODY_LIMIT ?? String(1024 * 1024),
      'body limit',
      1,
      1e9,
    ),
  }
  if (config.authkey === undefined) {
    if (!config.insecureLoopback) {
      throw new ConfigError(
        'REDPROC_AUTHKEY is not set: set it, or serve without a key on a loopback host with --insecure-loopback',
      )
    }
    if (!isLoopback(host)) {
      throw new ConfigError(`--insecure-loopback needs a loopback --host, not ${host}`)
    }
  }
  return config
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'redis-url': { type: 'string' },
      'log-level': { type: 'string' },
      namespace: { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'rate-limit': { type: 'string' },
      'body-limit': { type: 'string' },
      'insecure-loopback': { type: 'boolean' },
    },
  })
}

function integer(text: string, what: string, min: number, max: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(
      `${what} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`,
    )
  }
  return value
}

function checkNamespace(namespace: string): string {
  try {
    return validateName(namespace, 'namespace')
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}
