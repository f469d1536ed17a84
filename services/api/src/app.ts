import type { RequestListener } from 'node:http'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  errorHandler,
  type Logger,
  limitJsonDepth,
  redisAnswers,
  requestLog,
} from '@redproc/service-kit'
import { type Context, listSharedObjects } from '@redproc/shared'
import express, { type Express } from 'express'
import { requireKeyOrSession } from './http/auth.js'
import { corsFor } from './http/cors.js'
import { sendError } from './http/errors.js'
import { withFastRoutes } from './http/fast-routes.js'
import { RateLimit } from './http/rate-limit.js'
import { securityHeaders } from './http/security-headers.js'
import { sessionRouter } from './http/session-routes.js'
import { createMetrics } from './monitoring/metrics.js'
import type { Monitoring } from './monitoring/monitoring.js'
import { monitoringRouter } from './monitoring/routes.js'
import { openApiDocument } from './openapi/document.js'
import { callsHandler } from './shared-state/calls.js'
import { dictsRouter } from './shared-state/dicts.js'
import { listsRouter } from './shared-state/lists.js'
import { namespacesRouter } from './shared-state/namespaces.js'
import { valuesRouter } from './shared-state/values.js'
import { API_VERSION } from './version.js'

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
  /** The live view of queues, workers and sync objects: `createMonitoring(mp, logger)`. */
  monitoring: Monitoring
}

const PUBLIC = fileURLToPath(new URL('../public/', import.meta.url))
const UPLOT = dirname(createRequire(import.meta.url).resolve('uplot'))
export const ADMIN = '/admin/queues'

export interface Api {
  /** Every route. */
  readonly app: Express
  /** What the HTTP server runs: the app behind its fast routes. */
  readonly listener: RequestListener
}

/** The api, not listening: `main.ts` listens, tests use port 0. */
export function createApi(deps: ApiDeps): Api {
  const { mp, authkey, logger } = deps
  const { monitor, hub, board } = deps.monitoring
  const metrics = createMetrics(monitor)
  const keyed = requireKeyOrSession(authkey)
  const perMinute = deps.rateLimitPerMinute ?? 6000
  const rateLimit = perMinute === 0 ? undefined : new RateLimit(perMinute)
  const bodyLimitBytes = deps.bodyLimitBytes ?? 1024 * 1024

  const app = express()
  app.disable('x-powered-by')
  app.set('strict routing', true)
  // ETags here are versions of stored values (If-Match), never express's hashes of a body.
  app.set('etag', false)
  app.use(requestLog(logger.child({ component: 'http' })))
  app.use(securityHeaders(ADMIN))
  app.use(corsFor(deps.corsOrigins ?? []))
  app.use(metrics.observe)

  // Data first: a `/v1` request passes no other route on its way.
  const v1 = express.Router({ strict: true })
  if (rateLimit) v1.use(rateLimit.middleware())
  v1.use(express.json({ limit: bodyLimitBytes }))
  v1.use(limitJsonDepth())
  v1.use('/session', sessionRouter(authkey))
  v1.use(keyed)
  v1.get('/', (_req, res) => {
    res.json({ name: 'redproc', version: API_VERSION, namespace: mp.options.namespace })
  })
  v1.get('/objects', async (_req, res) => {
    res.json({ objects: await listSharedObjects(mp) })
  })
  v1.post('/call', callsHandler(mp, logger.child({ component: 'calls' })))
  v1.use('/dicts', dictsRouter(mp))
  v1.use('/lists', listsRouter(mp))
  v1.use('/namespaces', namespacesRouter(mp))
  v1.use('/values', valuesRouter(mp))
  v1.use(monitoringRouter(mp, monitor, hub))
  app.use('/v1', v1)

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.get('/readyz', async (_req, res) => {
    if (await redisAnswers(mp)) res.json({ status: 'ready' })
    else sendError(res, 503, 'CONNECTION', 'Redis does not answer')
  })

  // The page and its scripts hold no data: they load without the key and ask for it.
  app.get('/', (_req, res) => res.sendFile('index.html', { root: PUBLIC }))
  app.use('/assets', express.static(PUBLIC, { index: false }))
  app.use('/assets', express.static(UPLOT, { index: false }))

  app.get('/metrics', keyed, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  app.get('/openapi.json', keyed, (_req, res) => {
    res.json(openApiDocument())
  })
  app.use(ADMIN, keyed, board.router)

  app.use((req, res) => {
    sendError(res, 404, 'KEY_ERROR', `no route ${req.method} ${req.path}`)
  })
  app.use(errorHandler(logger.child({ component: 'errors' })))
  const listener = withFastRoutes(app, { mp, authkey, bodyLimitBytes, rateLimit, metrics, logger })
  return { app, listener }
}
