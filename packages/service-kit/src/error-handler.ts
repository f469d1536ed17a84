import type { IncomingMessage } from 'node:http'
import type { ErrorRequestHandler } from 'express'
import type { Logger } from 'pino'
import { toHttpError } from './http-error.js'

export interface ErrorReply {
  status: number
  body: { error: Record<string, unknown> }
}

/**
 * What a request that failed with `error` is answered: the error's own status
 * and `{ error: { code, message } }` for bad input and refused state; for a
 * fault of the service itself 500, a log line, and nothing of the fault.
 */
export function errorReply(error: unknown, req: IncomingMessage, logger: Logger): ErrorReply {
  const known = toHttpError(error)
  if (known) {
    return {
      status: known.status,
      body: { error: { code: known.code, message: known.message, ...known.details } },
    }
  }
  logger.error({ err: error, reqId: req.id }, 'request failed')
  return {
    status: 500,
    body: {
      error: { code: 'INTERNAL', message: `the service failed; see its log for request ${req.id}` },
    },
  }
}

/** Answers every error as `{ error: { code, message } }`: for a service that builds its own app. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error)
      return
    }
    const { status, body } = errorReply(error, req, logger)
    res.status(status).json(body)
  }
}
