import { RedprocTypeError } from './errors.js'

/** The part of a pino logger redproc uses; pass `pino()` or any look-alike. */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

const ignore = () => {}

/** The library is silent unless given a logger. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

/** A logger option: an object with the four methods redproc calls. */
export function checkLogger(value: unknown, name: string): Logger {
  const methods = ['debug', 'info', 'warn', 'error'] as const
  const logger = value as Partial<Record<(typeof methods)[number], unknown>> | null
  if (
    typeof logger !== 'object' ||
    logger === null ||
    methods.some((m) => typeof logger[m] !== 'function')
  ) {
    throw new RedprocTypeError(
      `${name} must be a pino-style logger with ${methods.join(', ')} methods`,
    )
  }
  return value as Logger
}
