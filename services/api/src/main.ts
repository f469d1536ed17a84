#!/usr/bin/env node
import { once } from 'node:events'
import { createHttpServer, createLogger, START_WAIT_MS, stopOnSignals } from '@redproc/service-kit'
import { connect } from '@redproc/shared'
import { ADMIN, createApi } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { createMonitoring } from './monitoring/monitoring.js'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig(process.argv.slice(2), process.env)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`redproc-api: ${error.message}\n`)
  process.exit(1)
}
const logger = createLogger({ name: 'api', level: config.logLevel })

const mp = await connect({
  connectTimeoutMs: START_WAIT_MS,
  redis: config.redisUrl,
  namespace: config.namespace,
  logger: logger.child({ component: 'redproc' }),
}).catch((error: Error) => {
  process.stderr.write(`redproc-api: ${error.message}\n`)
  process.exit(1)
})
const monitoring = createMonitoring(mp, logger, { boardPath: ADMIN })
const api = createApi({
  mp,
  monitoring,
  authkey: config.authkey,
  logger,
  corsOrigins: config.corsOrigins,
  rateLimitPerMinute: config.rateLimitPerMinute,
  bodyLimitBytes: config.bodyLimitBytes,
})
const server = createHttpServer(api.listener)
server.listen(config.port, config.host)
await once(server, 'listening')
const address = server.address()
const port = typeof address === 'object' && address ? address.port : config.port
logger.info({ url: `http://${config.host}:${port}/`, namespace: config.namespace }, 'api listening')

stopOnSignals({
  logger,
  graceMs: 10_000,
  stop: async () => {
    // The HTTP server first (no new requests, keep-alive sockets closed), then the library.
    // Event streams never end by themselves: close every connection once new ones are refused.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
    await monitoring.close()
    await mp.close()
  },
})
