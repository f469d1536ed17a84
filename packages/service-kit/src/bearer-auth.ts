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
  const isAuthkey = secretCheck(authkey)
  return (req, res, next) => {
    const header = req.headers.authorization
    const token = bearerToken(header)
    if (token === undefined || !isAuthkey(token)) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      const why = header === undefined ? 'missing' : token ? 'wrong' : 'malformed'
      next(
        new HttpError(401, 'AUTH', `the authkey is ${why}: send Authorization: Bearer <authkey>`),
      )
      return
    }
    next()
  }
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case). */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer ([^\s]+)$/i.exec(header)?.[1]
}

/**
 * Whether `given` is `secret`. Both sides are hashed before a constant-time
 * compare, so neither how much of the secret is right nor its length shows
 * in the time the answer takes.
 */
export function sameSecret(given: string, secret: string): boolean {
  return secretCheck(secret)(given)
}

/** `sameSecret` against one secret, hashed once. */
export function secretCheck(secret: string): (given: string) => boolean {
  const expected = digest(secret)
  return (given) => timingSafeEqual(digest(given), expected)
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
