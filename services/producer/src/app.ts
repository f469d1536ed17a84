import { type Logger, redisAnswers } from '@redproc/service-kit'
import { createServiceApp } from '@redproc/service-kit/app'
import type { Context } from '@redproc/shared'
import type { Express } from 'express'
import type { ServeConfig } from './config.js'
import { queueRoutes } from './queue-routes.js'

export interface AppDeps {
  mp: Context
  logger: Logger
  config: Pick<ServeConfig, 'authkey' | 'bodyLimitBytes' | 'maxBatch' | 'maxWaitMs'>
  /** Aborted when the service stops. */
  stopping: AbortSignal
}

/** The producer's express app: the service kit with the queue routes. */
export function createApp({ mp, logger, config, stopping }: AppDeps): Express {
  return createServiceApp({
    logger,
    authkey: config.authkey,
    bodyLimitBytes: config.bodyLimitBytes,
    ready: () => redisAnswers(mp),
    routes: (v1) =>
      queueRoutes(v1, { mp, maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, stopping }),
  })
}
