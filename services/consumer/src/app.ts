import { type Logger, redisAnswers } from '@redproc/service-kit'
import { createServiceApp } from '@redproc/service-kit/app'
import type { Context, ServeHandle } from '@redproc/shared'
import type { Express } from 'express'

export interface AppDeps {
  mp: Context
  worker: ServeHandle
  logger: Logger
}

/**
 * The consumer's probes for an orchestrator: `/healthz` (the process lives)
 * and `/readyz` (Redis answers and the worker takes jobs). It has no `/v1`
 * routes, so it needs no authkey; the api lists workers from Redis.
 */
export function createApp({ mp, worker, logger }: AppDeps): Express {
  return createServiceApp({
    logger,
    authkey: undefined,
    bodyLimitBytes: 1024,
    ready: async () => worker.state === 'running' && (await redisAnswers(mp)),
    routes: () => {},
  })
}
