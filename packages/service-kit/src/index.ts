/**
 * What every redproc service shares, so each service's `main.ts` reads
 * config, wires, listens and stops, and nothing more. The express app is at
 * `@redproc/service-kit/app`, so a service that serves no HTTP (a consumer
 * without probes) does not load express:
 *
 * ```ts
 * const config = configOrExit('producer', () => readConfig(process.argv.slice(2), process.env))
 * const logger = createLogger({ name: 'producer', level: config.logLevel })
 * const app = createServiceApp({ logger, authkey, bodyLimitBytes, ready, routes })
 * const listening = await listen(app, config.port, config.host)
 * stopOnSignals({ logger, graceMs, stop: async () => { await listening.close(graceMs); await mp.close() } })
 * ```
 */
export { bearerAuth, bearerToken, sameSecret, secretCheck } from './bearer-auth.js'
export {
  type Check,
  type CommonConfig,
  ConfigError,
  commonConfig,
  configOrExit,
  HTTP_FLAGS,
  type HttpConfig,
  httpConfig,
  integer,
  isLoopback,
  logLevel,
  matching,
  nonEmpty,
  objectName,
  oneOf,
  parseFlags,
  portNumber,
  redisUrl,
  setting,
} from './config.js'
export { type ErrorReply, errorHandler, errorReply } from './error-handler.js'
export { HttpError, STATUS_BY_CODE, toHttpError } from './http-error.js'
export { createHttpServer } from './http-server.js'
export { checkJsonDepth, limitJsonDepth } from './json-depth.js'
export { type Listening, listen, listenOrExit } from './listen.js'
export { createLogger, type Logger, type LoggerConfig } from './logger.js'
export { connectOrExit, redisAnswers, START_WAIT_MS } from './redis.js'
export { logRequests, requestLog } from './request-log.js'
export { type SignalOptions, stopOnSignals } from './signals.js'
export { validate } from './validate.js'
