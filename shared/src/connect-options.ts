import type { Logger } from './logger.js'
import type { PoolOptions } from './pool/pool-options.js'
import type { RedisTarget } from './redis/client.js'
import type { Durability } from './redis/replica-wait.js'

export interface ConnectOptions {
  /**
   * A URL, ioredis options (Sentinel: `{ sentinels, name }`) or `{ cluster: nodes }`.
   * @default process.env.REDIS_URL, else 'redis://127.0.0.1:6379'
   */
  redis?: RedisTarget
  /**
   * Objects are shared by `(namespace, kind, name)`: two contexts see the same
   * objects exactly when their namespaces are equal.
   * @default 'default'
   */
  namespace?: string
  /** A pino-style logger. @default silent */
  logger?: Logger
  /**
   * How long `connect` waits for Redis before failing with `CONNECTION`,
   * following a Redis that comes up meanwhile (a service started before its
   * Redis); more than 0, and `Infinity` waits for as long as it takes. Each
   * connection opened later waits as long, or as long as the call that
   * needs it has left.
   * @default none: a refused connection (or an unknown host) fails at once,
   * as in Python, and a host that does not answer after 10 s; later
   * connections wait up to 10 s
   */
  connectTimeoutMs?: number
  /** The pool `mp.parmap` uses. @default POOL_DEFAULTS: { backend: 'redis', queue: 'tasks' } */
  pool?: PoolOptions
  /**
   * Acknowledge a call only once `replicas` replicas hold its writes (Redis
   * `WAIT`), so a Sentinel failover loses nothing acknowledged; each call
   * then costs a round trip to the replicas. Not on a cluster.
   * @default none: writes are acknowledged by the master alone
   */
  durability?: Durability
}

export interface ContextOptions {
  readonly redis: RedisTarget
  readonly namespace: string
  readonly logger: Logger
  /** As given: its absence decides how a refused first connection ends. */
  readonly connectTimeoutMs: number | undefined
  readonly pool: PoolOptions
  readonly durability: Required<Durability> | undefined
}
