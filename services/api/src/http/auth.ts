import { createHmac, timingSafeEqual } from 'node:crypto'
import { bearerAuth } from '@redproc/service-kit'
import type { RequestHandler, Response } from 'express'

export const SESSION_COOKIE = 'redproc_session'
/** How long a dashboard login lasts. */
export const SESSION_MS = 12 * 60 * 60 * 1000

/**
 * The key check of every route with data: a Bearer header (programs), or the
 * signed session cookie the dashboard's login sets (a browser's EventSource
 * and bull-board's pages cannot send a header). No key configured (only
 * with --insecure-loopback) lets everything through.
 */
export function requireKeyOrSession(authkey: string | undefined): RequestHandler {
  if (authkey === undefined) return (_req, _res, next) => next()
  const bearer = bearerAuth(authkey)
  return (req, res, next) => {
    if (req.headers.authorization === undefined && hasSession(authkey, req.headers.cookie)) {
      return next()
    }
    bearer(req, res, next)
  }
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, signed with the key itself. */
export function startSession(res: Response, authkey: string, secure: boolean): void {
  const expires = Date.now() + SESSION_MS
  const value = `${expires}.${sign(authkey, expires)}`
  res.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge: SESSION_MS,
  })
}

export function endSession(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' })
}

function hasSession(authkey: string, cookies: string | undefined): boolean {
  const value = cookies
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1)
  const match = value ? /^(\d{1,15})\.([0-9a-f]{64})$/.exec(value) : null
  if (!match) return false
  const expires = Number(match[1])
  if (expires < Date.now()) return false
  const expected = Buffer.from(sign(authkey, expires), 'hex')
  return timingSafeEqual(Buffer.from(match[2] as string, 'hex'), expected)
}

function sign(authkey: string, expires: number): string {
  return createHmac('sha256', authkey).update(`redproc-session:${expires}`).digest('hex')
}
