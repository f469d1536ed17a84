import { sameSecret, validate } from '@redproc/service-kit'
import { Router } from 'express'
import { z } from 'zod'
import { endSession, startSession } from './auth.js'
import { sendError } from './errors.js'

const loginBody = z.strictObject({ authkey: z.string() })

/**
 * `POST /v1/session { authkey }` logs the dashboard in with a cookie, so the
 * key stays out of URLs and of the page's script; `DELETE` logs out.
 */
export function sessionRouter(authkey: string | undefined): Router {
  const router = Router({ strict: true })
  router.post('/', (req, res) => {
    const { authkey: given } = validate(loginBody, req.body, 'body')
    if (authkey !== undefined && !sameSecret(given, authkey)) {
      sendError(res, 401, 'AUTH', 'that is not the authkey of this server')
      return
    }
    if (authkey !== undefined) startSession(res, authkey, req.secure)
    res.status(204).end()
  })
  router.delete('/', (_req, res) => {
    endSession(res)
    res.status(204).end()
  })
  return router
}
