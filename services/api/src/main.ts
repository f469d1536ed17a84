#!/usr/bin/env node
import { once } from 'node:events'
import { connect } from '@redproc/shared'
import { createApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { createLogger, runUntilSignal } from './interim-kit.js'

const logger = createLogger()
let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig(process.argv.slice(2), process.env)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`redproc-api: ${error.message}\n`)
  process.exit(1)
}

const mp = await connect({
  redis: config.redisUrl,
  namespace: config.namespace,
  logger: logger.child({ component: 'redproc' }),
}).catch((error: Error) => {
  process.stderr.write(`redproc-api: ${error.message}\n`)
  process.exit(1)
})
const app = createApp({
  mp,
  authkey: config.authkey,
  logger,
  corsOrigins: config.corsOrigins,
  rateLimitPerMinute: config.rateLimitPerMinute,
  bodyLimitBytes: config.bodyLimitBytes,
})
const server = app.listen(config.port, config.host)
await once(server, 'listening')
const address = server.address()
const port = typeof address === 'object' && address ? address.port : config.port
logger.info({ url: `http://${config.host}:${port}/`, namespace: config.namespace }, 'api listening')

runUntilSignal(async () => {
  // The HTTP server first (no new requests, keep-alive sockets closed), then the library.
  server.closeIdleConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await mp.close()
}, logger)
