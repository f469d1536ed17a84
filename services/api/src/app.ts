import type { Context } from '@redproc/shared'
import express, { type Express } from 'express'
import { rateLimit } from 'express-rate-limit'
import helmet from 'helmet'
import { pinoHttp } from 'pino-http'
import { requireKeyOrSession } from './http/auth.js'
import { corsFor } from './http/cors.js'
import { sessionRouter } from './http/session-routes.js'
import { errorHandler, type Logger, sendError } from './interim-kit.js'
import { dictsRouter } from './shared-state/dicts.js'
import { listsRouter } from './shared-state/lists.js'
import { namespacesRouter } from './shared-state/namespaces.js'
import { valuesRouter } from './shared-state/values.js'

export interface ApiDeps {
  mp: Context
  /** undefined only when serving on loopback with --insecure-loopback. */
  authkey: string | undefined
  logger: Logger
  /** @default [] (CORS off) */
  corsOrigins?: string[]
  /** Per client address on /v1; 0 is off. @default 6000 */
  rateLimitPerMinute?: number
  /** @default 1048576 */
  bodyLimitBytes?: number
}

export const API_VERSION = '0.1.0'

/** The api as an express app, not listening: `main.ts` listens, tests use port 0. */
export function createApp(deps: ApiDeps): Express {
  const { mp, authkey, logger } = deps
  const app = express()
  app.disable('x-powered-by')
  app.set('strict routing', true)
  app.use(pinoHttp({ logger: logger.child({ component: 'http' }) }))
  app.use(helmet())
  app.use(corsFor(deps.corsOrigins ?? []))

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.get('/readyz', async (_req, res) => {
    try {
      await mp.redis.ping()
      res.json({ status: 'ready' })
    } catch {
      sendError(res, 503, 'CONNECTION', 'Redis does not answer')
    }
  })

  const v1 = express.Router({ strict: true })
  const perMinute = deps.rateLimitPerMinute ?? 6000
  if (perMinute > 0) {
    v1.use(
      rateLimit({
        windowMs: 60_000,
        limit: perMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        handler: (_req, res) =>
          sendError(res, 429, 'RATE_LIMITED', `more than ${perMinute} requests a minute`),
      }),
    )
  }
  v1.use(express.json({ limit: deps.bodyLimitBytes ?? 1024 * 1024 }))
  v1.use('/session', sessionRouter(authkey))
  v1.use(requireKeyOrSession(authkey))
  v1.get('/', (_req, res) => {
    res.json({ name: 'redproc', version: API_VERSION, namespace: mp.options.namespace })
  })
  v1.use('/dicts', dictsRouter(mp))
  v1.use('/lists', listsRouter(mp))
  v1.use('/namespaces', namespacesRouter(mp))
  v1.use('/values', valuesRouter(mp))
  app.use('/v1', v1)

  app.use((req, res) => {
    sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${req.path}`)
  })
  app.use(errorHandler(logger))
  return app
}
