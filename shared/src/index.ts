/**
 * redproc: Python's `multiprocessing` model across processes and machines, on Redis.
 *
 * ```ts
 * import { connect } from '@redproc/shared'
 *
 * await using mp = await connect({ redis: process.env.REDIS_URL, namespace: 'app' })
 * const hits = mp.value('hits', 0)
 * await hits.add(1)                      // atomic, from any process on any machine
 * const users = mp.dict('users')
 * await users.set('ada', { langs: ['ts'] })
 * console.log(await users.toObject())
 * ```
 */

export { decode, encode, type Json } from './codec.js'
export { type ConnectOptions, Context, type ContextOptions, connect } from './context.js'
export {
  AuthenticationError,
  BrokenBarrierError,
  ConnectionLost,
  Empty,
  EOFError,
  ERROR_CODES,
  type ErrorCode,
  Full,
  IndexError,
  isRedprocError,
  KeyError,
  NotSerializable,
  RedprocError,
  RedprocTypeError,
  ShutDown,
  Timeout,
  ValueError,
} from './errors.js'
export type { Logger } from './logger.js'
export { Dict } from './managers/dict.js'
export { List } from './managers/list.js'
export { Namespace } from './managers/namespace.js'
export type { ClusterTarget, RedisClient, RedisTarget } from './redis/client.js'
export { KEY_PREFIX, ObjectKeys, validateName } from './redis/keys.js'
export { SharedArray } from './sharedctypes/shared-array.js'
export { Value } from './sharedctypes/value.js'
