import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { RequestHandler } from 'express'
import type { Logger } from 'pino'
import { pinoHttp } from 'pino-http'

/** Request ids from the caller are kept when they look like ids. */
const REQUEST_ID = /^[\w.:-]{1,128}$/

/**
 * Headers that a request line shows. A key sent where it does not belong
 * (another header, another scheme, a query string) must not reach a log, so
 * the line keeps these and drops the rest, and shows a query's names only.
 */
const LOGGED_HEADERS = [
  'host',
  'user-agent',
  'content-type',
  'content-length',
  'content-encoding',
  'accept',
  'origin',
  'x-request-id',
  'x-forwarded-for',
]

/**
 * One line per request (probes only when they fail), at warn for a 4xx and
 * error for a 5xx, with an id the caller may give in X-Request-Id and gets
 * back in every answer.
 */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger: logger.child({ component: 'http' }),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id']
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
      res.setHeader('X-Request-Id', id)
      return id
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: { req: loggedRequest },
  })
}

interface SerializedRequest {
  id: unknown
  method: string
  url: string
  headers: IncomingHttpHeaders
  remoteAddress?: string
}

function loggedRequest(req: SerializedRequest) {
  const [path, query] = req.url.split('?', 2)
  const queryNames = query ? [...new URLSearchParams(query).keys()] : []
  return {
    id: req.id,
    method: req.method,
    url: path,
    ...(queryNames.length > 0 ? { queryNames } : {}),
    headers: Object.fromEntries(
      LOGGED_HEADERS.filter((name) => req.headers[name] !== undefined).map((name) => [
        name,
        req.headers[name],
      ]),
    ),
    remoteAddress: req.remoteAddress,
  }
}
