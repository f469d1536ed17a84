import type { ErrorRequestHandler } from 'express'
import type { Logger } from 'pino'
import { toHttpError } from './http-error.js'

/** Answers every error as `{ error: { code, message } }`: for a service that builds its own app. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error)
      return
    }
    const known = toHttpError(error)
    if (known) {
      res.status(known.status).json({
        error: { code: known.code, message: known.message, ...known.details },
      })
      return
    }
    logger.error({ err: error, reqId: req.id }, 'request failed')
    res.status(500).json({
      error: { code: 'INTERNAL', message: `the service failed; see its log for request ${req.id}` },
    })
  }
}
