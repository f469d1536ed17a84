/**
 * Stand-in for the shared service kit (being built for the producer and the
 * consumer): logger, Bearer key check, error bodies, request validation and
 * the two-signal runner. Everything here is to be replaced by the kit's own
 * once it lands; nothing else in the api defines these.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { type ErrorCode, isRedprocError } from '@redproc/shared'
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express'
import { type Logger, pino } from 'pino'
import type { z } from 'zod'

export type { Logger }

/** The root logger: JSON lines; the key and cookies are redacted wherever they appear. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'authkey', '*.authkey'],
      censor: '[redacted]',
    },
  })
}

/**
 * The HTTP status of each RedprocError code: bad input 400, a well-formed
 * request the state refuses 409/422, a missing key or index 404.
 */
export const STATUS_OF_CODE: Record<ErrorCode, number> = {
  EMPTY: 404,
  FULL: 429,
  SHUTDOWN: 409,
  TIMEOUT: 408,
  TOO_MANY_TASK_DONE: 409,
  NOT_OWNER: 409,
  SEMAPHORE_OVERFLOW: 409,
  BROKEN_BARRIER: 409,
  EOF: 410,
  AUTH: 401,
  INVALID_NAME: 400,
  NOT_SERIALIZABLE: 400,
  UNKNOWN_TASK: 422,
  REMOTE_TASK_FAILED: 422,
  CONNECTION: 503,
  INDEX_ERROR: 404,
  KEY_ERROR: 404,
  VALUE_ERROR: 422,
  TYPE_ERROR: 400,
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } })
}

/** An error the request itself caused: a 4xx with a contract code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * `Authorization: Bearer <key>`, compared in constant time (as digests, so
 * the key's length does not show either).
 */
export function requireAuthkey(authkey: string): RequestHandler {
  const expected = digest(authkey)
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
    if (match && timingSafeEqual(digest(match[1] as string), expected)) return next()
    res.setHeader('www-authenticate', 'Bearer realm="redproc"')
    sendError(res, 401, 'AUTH', 'a valid "Authorization: Bearer <authkey>" header is required')
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** Parses `value` with `schema`, or throws a 400 TYPE_ERROR naming the first bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const where = issue && issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what
  throw new HttpError(400, 'TYPE_ERROR', `${where}: ${issue?.message ?? 'invalid'}`)
}

/** Every error as `{ error: { code, message } }`; a 500 only for what is truly a bug. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) {
      res.destroy()
      return
    }
    if (error instanceof HttpError) return sendError(res, error.status, error.code, error.message)
    if (isRedprocError(error)) {
      return sendError(res, STATUS_OF_CODE[error.code], error.code, error.message)
    }
    const parserType = (error as { type?: string }).type
    if (parserType === 'entity.parse.failed') {
      return sendError(res, 400, 'VALUE_ERROR', 'the request body is not valid JSON')
    }
    if (parserType === 'entity.too.large') {
      return sendError(res, 413, 'VALUE_ERROR', 'the request body is larger than the limit')
    }
    const status = (error as { status?: number }).status
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, 'TYPE_ERROR', (error as Error).message)
    }
    logger.error({ err: error, url: req.originalUrl }, 'request failed')
    sendError(res, 500, 'INTERNAL', 'the server failed; see its log')
  }
}

/**
 * Runs a service until SIGTERM or SIGINT: the first signal stops it
 * gracefully (`stop`), a second one or `graceMs` later exits 1.
 */
export function runUntilSignal(stop: () => Promise<void>, logger: Logger, graceMs = 10_000): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'stopping')
    setTimeout(() => {
      logger.error({ graceMs }, 'graceful stop took too long: exiting')
      process.exit(1)
    }, graceMs).unref()
    stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'stop failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
