import { createHash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { HttpError } from './http-error.js'

/**
 * Requires `Authorization: Bearer <authkey>` (the scheme in any case, as
 * HTTP says). Without a key (an insecure loopback service) every request
 * passes.
 */
export function bearerAuth(authkey: string | undefined): RequestHandler {
  if (authkey === undefined) return (_req, _res, next) => next()
  return (req, res, next) => {
    const header = req.headers.authorization
    const match = header === undefined ? null : /^Bearer ([^\s]+)$/i.exec(header)
    if (!match?.[1] || !sameSecret(match[1], authkey)) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      const why = header === undefined ? 'missing' : match ? 'wrong' : 'malformed'
      next(
        new HttpError(401, 'AUTH', `the authkey is ${why}: send Authorization: Bearer <authkey>`),
      )
      return
    }
    next()
  }
}

/**
 * Whether `given` is `secret`. Both sides are hashed before a constant-time
 * compare, so neither how much of the secret is right nor its length shows
 * in the time the answer takes.
 */
export function sameSecret(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret))
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
