import type { Json, Widen } from './codec.js'
import type { ConnectOptions, ContextOptions } from './connect-options.js'
import type { Connection } from './connection/connection.js'
import { openPipe, type PipeOptions } from './connection/pipe.js'
import { dropObject, purgeNamespace } from './drop.js'
import { ConnectionLost } from './errors.js'
import { checkLogger, silentLogger } from './logger.js'
import { Dict } from './managers/dict.js'
import { List } from './managers/list.js'
import { Namespace } from './managers/namespace.js'
import type { ObjectKind } from './objects.js'
import { checkOptions, option, type Schema } from './options.js'
import { LocalBackend } from './pool/local-backend.js'
import { Pool } from './pool/pool.js'
import { POOL_DEFAULTS, type PoolOptions, resolvePoolOptions } from './pool/pool-options.js'
import { RedisBackend } from './pool/redis-backend.js'
import { closeAtExit } from './process/close-at-exit.js'
import { Process } from './process/process.js'
import { type ProcessOptions, resolveProcessOptions } from './process/process-options.js'
import type { DropOptions } from './queues/drop-guard.js'
import { JoinableQueue, type JoinableQueueOptions } from './queues/joinable-queue/joinable-queue.js'
import { Queue, type QueueOptions } from './queues/queue.js'
import { withinDeadline } from './redis/call-deadline.js'
import {
  checkConnectTimeout,
  checkRedisTarget,
  closeClient,
  openClient,
  openFirstClient,
  type RedisClient,
} from './redis/client.js'
import { ObjectKeys, validateName } from './redis/keys.js'
import { checkDurability, type Durability, ReplicaWait } from './redis/replica-wait.js'
import type { BlockingClientOptions, Scope } from './redis/scope.js'
import { SharedArray } from './sharedctypes/shared-array.js'
import { Value } from './sharedctypes/value.js'
import { Barrier, type BarrierOptions } from './synchronize/barrier.js'
import { BoundedSemaphore } from './synchronize/bounded-semaphore.js'
import { Condition } from './synchronize/condition.js'
import { Event } from './synchronize/event.js'
import type { LockOptions } from './synchronize/leased-lock.js'
import { Lock } from './synchronize/lock.js'
import { RLock } from './synchronize/rlock.js'
import { Semaphore, type SemaphoreOptions } from './synchronize/semaphore.js'

const DEFAULTS = {
  namespace: 'default',
  pool: POOL_DEFAULTS,
} as const

const CONNECT_OPTIONS: Schema<ConnectOptions> = {
  redis: checkRedisTarget,
  namespace: (value, name) => validateName(value, name),
  logger: checkLogger,
  connectTimeoutMs: checkConnectTimeout,
  pool: (value) => {
    resolvePoolOptions(value as PoolOptions)
    return value as PoolOptions
  },
  durability: checkDurability,
}

const BLOCKING_CLIENT_OPTIONS: Schema<BlockingClientOptions> = {
  closedBy: option.oneOf('scope', 'caller'),
}

type State = 'open' | 'closing' | 'closed'

/** How long `close` waits for an unreachable Redis to take what it still has to write. */
const CLOSE_GRACE_MS = 2000

/** Opens a context: the `mp` through which every shared object is reached. */
export async function connect(options?: ConnectOptions): Promise<Context> {
  const checked = checkOptions(options, CONNECT_OPTIONS, 'connect() options')
  const resolved: ContextOptions = {
    redis: checked.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    namespace: checked.namespace ?? DEFAULTS.namespace,
    logger: checked.logger ?? silentLogger,
    connectTimeoutMs: checked.connectTimeoutMs,
    pool: checked.pool ?? DEFAULTS.pool,
    durability: checked.durability as Required<Durability> | undefined,
  }
  const client = await openFirstClient(resolved.redis, resolved.logger, resolved.connectTimeoutMs)
  try {
    return new Context(resolved, client)
  } catch (error) {
    client.disconnect()
    throw error
  }
}

/**
 * The `mp` of `const mp = await connect()`: a namespace on one Redis (or
 * Cluster), and the factory of every shared object in it. Handles are cheap;
 * nothing touches Redis until a method is awaited.
 */
export class Context implements Scope, AsyncDisposable {
  readonly options: ContextOptions
  /** The shared client for non-blocking commands. */
  readonly redis: RedisClient
  /** With `durability`: what every call awaits after its writes. */
  readonly replicaWait: ReplicaWait | undefined
  private state: State = 'open'
  private closing: Promise<void> | undefined
  private readonly cleanups: Array<() => Promise<void> | void> = []
  /** What `shared` made, by key. */
  private readonly services = new Map<symbol, unknown>()
  private defaultPool: Pool | undefined
  /** A context left open closes when the process runs out of work, as in Python. */
  private readonly forgetAtExit = closeAtExit(() =>
    this.close().catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'closing at exit failed'),
    ),
  )

  constructor(options: ContextOptions, redis: RedisClient) {
    this.options = options
    this.redis = redis
    this.replicaWait = options.durability && new ReplicaWait(redis, options.durability)
  }

  get closed(): boolean {
    return this.state !== 'open'
  }

  /** The keys of the object `(this namespace, kind, name)`; validates `name`. */
  keys(kind: string, name: string): ObjectKeys {
    return new ObjectKeys(this.options.namespace, kind, name)
  }

  /**
   * A client of its own, for commands that block (BLMOVE, XREAD BLOCK) and so
   * must not hold up the shared one. Closed with the context, unless
   * `closedBy: 'caller'`.
   */
  async openBlockingClient(options?: BlockingClientOptions): Promise<RedisClient> {
    const { closedBy } = checkOptions(
      options,
      BLOCKING_CLIENT_OPTIONS,
      'openBlockingClient() options',
    )
    const client = await openClient(
      this.options.redis,
      this.options.logger,
      this.options.connectTimeoutMs,
    )
    if (closedBy === 'caller') return client
    // Opened while the context closed: nothing would close it.
    if (this.closed) {
      client.disconnect()
      throw new ConnectionLost('the context was closed')
    }
    // QUIT would queue behind a blocked command and never be answered.
    this.onClose(() => client.disconnect())
    return client
  }

  /** Runs `cleanup` when the context closes, latest first. */
  onClose(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup)
  }

  shared<T>(key: symbol, make: () => T): T {
    if (!this.services.has(key)) this.services.set(key, make())
    return this.services.get(key) as T
  }

  /** `multiprocessing.Value`: one JSON value; `add` is atomic for numbers. */
  value<T extends Json = Json>(name: string, initial: T | null = null): Value<Widen<T>> {
    return new Value<Widen<T>>(this, name, initial as Widen<T> | null)
  }

  /** `multiprocessing.Array`: a fixed-length array; `initial` is the items or a length of zeros. */
  array<T extends Json = Json>(name: string, initial: T[] | number = []): SharedArray<Widen<T>> {
    return new SharedArray<Widen<T>>(this, name, initial as Widen<T>[] | number)
  }

  /** `Manager().Namespace()`: attributes in a Redis hash. */
  namespace(name: string): Namespace {
    return new Namespace(this, name)
  }

  /** `Manager().dict()`: string keys, JSON values, in a Redis hash. */
  dict<V extends Json = Json>(name: string): Dict<V> {
    return new Dict<V>(this, name)
  }

  /** `Manager().list()`: JSON items in a Redis list. */
  list<T extends Json = Json>(name: string): List<T> {
    return new List<T>(this, name)
  }

  /** `multiprocessing.Queue`: JSON items in a Redis list, no acknowledgements. */
  queue<T extends Json = Json>(name: string, options: QueueOptions = {}): Queue<T> {
    return new Queue<T>(this, name, options)
  }

  /**
   * `multiprocessing.JoinableQueue`: a queue on BullMQ with taskDone/join;
   * items come back if their consumer dies before taskDone (at-least-once).
   */
  joinableQueue<T extends Json = Json>(
    name: string,
    options: JoinableQueueOptions = {},
  ): JoinableQueue<T> {
    return new JoinableQueue<T>(this, name, options)
  }

  /** `multiprocessing.Pipe(duplex)`: the two ends `[a, b]` of the pipe `name`. */
  pipe<T extends Json = Json>(
    name: string,
    options: PipeOptions = {},
  ): [Connection<T>, Connection<T>] {
    return openPipe<T>(this, name, options)
  }

  /** `multiprocessing.Lock`: one holder at a time, under a lease its process renews. */
  lock(name: string, options: LockOptions = {}): Lock {
    return new Lock(this, name, options)
  }

  /** `multiprocessing.RLock`: a lock its holding handle may take again. */
  rlock(name: string, options: LockOptions = {}): RLock {
    return new RLock(this, name, options)
  }

  /** `multiprocessing.Semaphore(value)`: permits under leases; the first handle sets `value`. */
  semaphore(name: string, value = 1, options: SemaphoreOptions = {}): Semaphore {
    return new Semaphore(this, name, value, options)
  }

  /** `multiprocessing.BoundedSemaphore(value)`: may not be released above `value`. */
  boundedSemaphore(name: string, value = 1, options: SemaphoreOptions = {}): BoundedSemaphore {
    return new BoundedSemaphore(this, name, value, options)
  }

  /** `multiprocessing.Condition(lock)`: by default with an rlock of its own. */
  condition(name: string, lock?: Lock | RLock): Condition {
    return new Condition(this, name, lock)
  }

  /** `multiprocessing.Event()`: a flag processes wait for. */
  event(name: string): Event {
    return new Event(this, name)
  }

  /** `multiprocessing.Barrier(parties, timeout=…)`: `parties` processes meet, generation after generation. */
  barrier(name: string, parties: number, options: BarrierOptions = {}): Barrier {
    return new Barrier(this, name, parties, options)
  }

  /**
   * `Pool()`: the same API over worker threads here (`backend: 'local'`) or
   * `serve` processes on any machine (`backend: 'redis'`).
   */
  pool(options: PoolOptions = this.options.pool): Pool {
    const resolved = resolvePoolOptions(options)
    const pool = new Pool(
      resolved.backend === 'local'
        ? new LocalBackend(resolved)
        : new RedisBackend(this, resolved.queue),
    )
    this.onClose(() => pool.terminate())
    return pool
  }

  /**
   * `multiprocessing.Process(target, args)`: a child Node process that runs
   * the task `target` of the module `tasks` as `target(mp, ...args)`, where
   * `mp` is its own context on this Redis and namespace. Call `start()`.
   */
  process(options: ProcessOptions): Process {
    return new Process(this.options, resolveProcessOptions(options))
  }

  /** The seed's `parmap(f, items)`: ordered results, on the context's pool. */
  parmap<R extends Json = Json>(task: string, items: Iterable<Json>): Promise<R[]> {
    this.defaultPool ??= this.pool()
    return this.defaultPool.map<R>(task, items)
  }

  /**
   * Deletes the object `(kind, name)` of this namespace from Redis with
   * everything in it, and resolves with how many keys went; the name may then
   * be used again for a new object. Handles of it made before may write it
   * again when used: drop what nothing uses. A joinable queue is refused with
   * IN_USE while a live worker serves it, unless `force`.
   */
  drop(kind: ObjectKind, name: string, options?: DropOptions): Promise<number> {
    return dropObject(this, kind, name, options)
  }

  /**
   * Deletes every key of this namespace, on every master of a cluster, and
   * resolves with how many went. IN_USE while a worker of the namespace is
   * live (it would go on writing), unless `force`.
   */
  purge(options?: DropOptions): Promise<number> {
    return purgeNamespace(this, options)
  }

  /** Releases every resource; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce()
    return this.closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  private async closeOnce(): Promise<void> {
    this.state = 'closing'
    this.forgetAtExit()
    const failures: unknown[] = []
    // While Redis is unreachable, what the cleanups write is given up after
    // a grace, rather than waited for through every reconnection attempt.
    await withinDeadline(CLOSE_GRACE_MS, async () => {
      for (const cleanup of this.cleanups.splice(0).reverse()) {
        try {
          await cleanup()
        } catch (error) {
          failures.push(error)
        }
      }
      await closeClient(this.redis)
    })
    this.state = 'closed'
    if (failures.length > 0) throw new AggregateError(failures, 'some resources failed to close')
  }
}
