import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestHandler } from 'express'
import type { Logger } from 'pino'

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the caller's `X-Request-Id` when it looks like one, else a new UUID. */
    id: string
  }
}

/** Request ids from the caller are kept when they look like ids. */
const REQUEST_ID = /^[\w.:-]{1,128}$/
/** Probes come every few seconds: they are not logged. */
const PROBES = new Set(['/healthz', '/readyz'])

/**
 * One line per finished request — method, path, status, duration and id, at
 * `info` (`warn` for 4xx, `error` for 5xx) — and the id echoed in
 * `X-Request-Id`. Nothing of the request is serialized unless the line is
 * written, so a service at `warn` pays for its logs only on failures; headers
 * are never logged, so the authkey cannot reach a line.
 */
export function requestLog(logger: Logger): RequestHandler {
  const log = logRequests(logger)
  return (req, res, next) => {
    log(req, res)
    next()
  }
}

/** `requestLog` for a request that no express app sees. */
export function logRequests(logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const given = req.headers['x-request-id']
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    res.setHeader('X-Request-Id', req.id)
    // The path as it came: express rewrites req.url inside its routers.
    const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?', 1)[0]
    if (PROBES.has(path as string)) return
    const started = performance.now()
    res.once('finish', () => {
      const status = res.statusCode
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'
      if (!logger.isLevelEnabled(level)) return
      logger[level](
        {
          reqId: req.id,
          method: req.method,
          path,
          status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request completed',
      )
    })
  }
}
