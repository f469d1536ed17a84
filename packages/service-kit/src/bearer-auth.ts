import { createHash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { HttpError } from './http-error.js'

/**
 * Requires `Authorization: Bearer <authkey>`. Both sides are hashed before
 * the constant-time compare, so neither the key's content nor its length
 * shows in the time an answer takes. Without a key (an insecure loopback
 * service) every request passes.
 */
export function bearerAuth(authkey: string | undefined): RequestHandler {
  if (authkey === undefined) return (_req, _res, next) => next()
  const expected = digest(authkey)
  return (req, res, next) => {
    const header = req.headers.authorization
    const match = header === undefined ? null : /^Bearer ([^\s]+)$/i.exec(header)
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
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

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
