import express, { type Express, type Router } from 'express'
import type { Logger } from 'pino'
import { bearerAuth } from './bearer-auth.js'
import { errorHandler } from './error-handler.js'
import { HttpError } from './http-error.js'
import { limitJsonDepth } from './json-depth.js'
import { requestLog } from './request-log.js'

export interface ServiceAppOptions {
  logger: Logger
  /** Every `/v1` route requires it; undefined only for an insecure loopback service. */
  authkey: string | undefined
  /** The largest JSON body accepted, in bytes. */
  bodyLimitBytes: number
  /** Whether the service can do its work now (Redis answers): `/readyz`. */
  ready(): Promise<boolean>
  /** Mounts the service's routes on the authenticated `/v1` router. */
  routes(v1: Router): void
}

/**
 * The express app every redproc service is: request logs with ids, `/healthz`
 * and `/readyz` without auth, JSON bodies up to a limit, the routes under
 * `/v1` behind the authkey, and every error answered as `{ error: { code,
 * message } }` — 4xx with the contract's codes for bad input, never a crash.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const { logger } = options
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.use(requestLog(logger.child({ component: 'http' })))
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.get('/readyz', async (_req, res) => {
    if (await options.ready().catch(() => false)) res.json({ status: 'ready' })
    else res.status(503).json({ error: { code: 'CONNECTION', message: 'Redis does not answer' } })
  })

  const v1 = express.Router()
  v1.use(bearerAuth(options.authkey))
  v1.use(express.json({ limit: options.bodyLimitBytes, type: () => true }))
  v1.use(limitJsonDepth())
  options.routes(v1)
  app.use('/v1', v1)
  app.use((req, _res, next) => {
    next(new HttpError(404, 'KEY_ERROR', `no route ${req.method} ${req.path}`))
  })
  app.use(errorHandler(logger.child({ component: 'errors' })))
  return app
}
