import { type Logger, toHttpError } from '@redproc/service-kit'
import type { ErrorRequestHandler, Response } from 'express'

/**
 * An error body for the api's answers that no RedprocError names: a lost
 * compare-and-set (412 PRECONDITION_FAILED) and the rate limit (429
 * RATE_LIMITED).
 */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } })
}

/**
 * Every error as `{ error: { code, message } }`, through the service kit's
 * one map from RedprocError codes to statuses; a 500 only for a bug, logged.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error)
      return
    }
    const known = toHttpError(error)
    if (known) {
      res
        .status(known.status)
        .json({ error: { code: known.code, message: known.message, ...known.details } })
      return
    }
    logger.error({ err: error, url: req.originalUrl }, 'request failed')
    sendError(res, 500, 'INTERNAL', 'the server failed; see its log')
  }
}
