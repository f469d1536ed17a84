import { createRequire } from 'node:module'
import { type Logger, type LoggerOptions, pino } from 'pino'
import type PinoPretty from 'pino-pretty'

export type { Logger } from 'pino'

export interface LoggerConfig {
  /** The service's name, on every line. */
  name: string
  /** pino's level: trace, debug, info, warn, error, fatal or silent. */
  level: string
}

/**
 * The root logger of a service: JSON lines when stdout is a pipe or a file
 * (for the machine that collects them), readable lines when it is a
 * terminal. Components log through children: `logger.child({ component })`.
 * The authorization header never reaches a line.
 */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  }
  if (process.stdout.isTTY) {
    // In-process, not a transport thread: a service's logs are few. Loaded
    // only for a terminal: it costs every process ~10 MB.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty
    return pino(options, pretty({ colorize: true, ignore: 'pid,hostname', sync: true }))
  }
  return pino(options)
}
