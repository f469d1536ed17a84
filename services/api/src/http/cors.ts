import type { RequestHandler } from 'express'

/** CORS for the listed origins only; with none listed, no CORS header is ever sent. */
export function corsFor(origins: string[]): RequestHandler {
  const allowed = new Set(origins)
  return (req, res, next) => {
    const origin = req.headers.origin
    if (allowed.size === 0 || origin === undefined || !allowed.has(origin)) return next()
    res.setHeader('access-control-allow-origin', origin)
    res.setHeader('vary', 'Origin')
    res.setHeader('access-control-expose-headers', 'ETag')
    if (req.method !== 'OPTIONS') return next()
    res.setHeader('access-control-allow-methods', 'GET, HEAD, PUT, POST, PATCH, DELETE')
    res.setHeader(
      'access-control-allow-headers',
      'authorization, content-type, if-match, if-none-match, last-event-id',
    )
    res.setHeader('access-control-max-age', '600')
    res.status(204).end()
  }
}
