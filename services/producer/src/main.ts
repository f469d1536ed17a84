#!/usr/bin/env node
// The producer: reads its config, connects, serves the app (or generates
// jobs), and stops on the first SIGTERM/SIGINT.
import {
  configOrExit,
  connectOrExit,
  createLogger,
  listenOrExit,
  stopOnSignals,
} from '@redproc/service-kit'
import { createApp } from './app.js'
import { readConfig, USAGE } from './config.js'
import { generate } from './generate.js'

const config = configOrExit('producer', () => readConfig(process.argv.slice(2), process.env))
if (config.mode === 'help') {
  console.log(USAGE)
  process.exit(0)
}
const logger = createLogger({ name: 'producer', level: config.logLevel })
const mp = await connectOrExit(
  'producer',
  { redis: config.redisUrl, namespace: config.namespace },
  logger,
)
const stopping = new AbortController()

if (config.mode === 'generate') {
  stopOnSignals({
    logger,
    graceMs: 5000,
    stop: async () => {
      stopping.abort()
      await mp.close()
    },
  })
  logger.info({ queue: config.queue, namespace: config.namespace }, 'generating jobs')
  await generate(mp, config, logger, stopping.signal).catch((error: unknown) => {
    if (!stopping.signal.aborted) throw error
  })
  await mp.close()
} else {
  const app = createApp({ mp, logger, config, stopping: stopping.signal })
  const listening = await listenOrExit('producer', app, config.port, config.host)
  logger.info(
    { url: listening.url, namespace: config.namespace, auth: config.authkey ? 'bearer' : 'none' },
    'producer listening',
  )
  stopOnSignals({
    logger,
    graceMs: config.graceMs,
    stop: async () => {
      // HTTP first (long polls answer now), then Redis.
      stopping.abort()
      await listening.close(config.graceMs)
      await mp.close()
    },
  })
}
