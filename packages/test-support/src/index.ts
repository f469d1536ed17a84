/** What the end-to-end tests of the services share: real processes, real Redis, nothing left behind. */
export {
  checkReply,
  ERROR_CODES,
  type JunkReport,
  type JunkTarget,
  REFUSALS,
  type Route,
  routesOf,
  throwJunk,
} from './http-junk.js'
export { junkRequest } from './junk-requests.js'
export { type RawReply, type RawRequest, rawClient } from './raw-http.js'
export { openContext, snapshot, uniqueNamespace } from './redis.js'
export { type RedisServer, startRedisServer } from './redis-server.js'
export { type LogLine, ROOT, type ServiceProcess, startProcess } from './service-process.js'
export {
  AUTHKEY,
  client,
  isJobLine,
  redisUrl,
  type ServiceOptions,
  startApi,
  startConsumer,
  startProducer,
} from './services.js'
