/** What the end-to-end tests of the services share: real processes, real Redis, nothing left behind. */
export { openContext, snapshot, uniqueNamespace } from './redis.js'
export { type LogLine, ROOT, type ServiceProcess, startProcess } from './service-process.js'
export {
  AUTHKEY,
  client,
  isJobLine,
  redisUrl,
  type ServiceOptions,
  startConsumer,
  startProducer,
} from './services.js'
