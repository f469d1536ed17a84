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
export type { ConnectOptions, ContextOptions } from './connect-options.js'
export { Connection, type End, type RecvOptions } from './connection/connection.js'
export type { PipeOptions } from './connection/pipe.js'
export { Context, connect } from './context.js'
export {
  AbortError,
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
  type RemoteFailure,
  RemoteTaskError,
  ShutDown,
  Timeout,
  ValueError,
} from './errors.js'
export type { Logger } from './logger.js'
export { Dict } from './managers/dict.js'
export { List, type SortKey, type SortOptions } from './managers/list.js'
export {
  listSharedObjects,
  SHARED_STATE_KINDS,
  type SharedStateKind,
} from './managers/list-objects.js'
export { Namespace } from './managers/namespace.js'
export { RemoteDict } from './managers/remote-dict.js'
export { RemoteList } from './managers/remote-list.js'
export {
  REMOTE_MANAGER_DEFAULTS,
  RemoteManager,
  type RemoteManagerOptions,
} from './managers/remote-manager.js'
export { RemoteNamespace } from './managers/remote-namespace.js'
export { RemoteValue } from './managers/remote-value.js'
export {
  type CompareAndSetResult,
  type Expected,
  etagOf,
  type Versioned,
} from './managers/versioned.js'
export {
  listObjects,
  OBJECT_KINDS,
  type ObjectKind,
  type ObjectSummary,
} from './objects.js'
export { type AsyncCallbacks, AsyncResult } from './pool/async-result.js'
export type { Tasks } from './pool/chunk.js'
export {
  type ImapOptions,
  type MapOptions,
  type MapProgress,
  Pool,
  type TaskOptions,
} from './pool/pool.js'
export {
  type LocalPoolOptions,
  POOL_DEFAULTS,
  type PoolOptions,
  type RedisPoolOptions,
} from './pool/pool-options.js'
export {
  type FinishedJob,
  type ServeHandle,
  type ServeOptions,
  type ServeState,
  serve,
} from './pool/serve.js'
export type { TaskFunction, TaskItem, TaskResult } from './pool/task-ref.js'
export type { CallJob, Job, PoolJob } from './pool/wire.js'
export { cpuCount, currentProcess, type ProcessInfo } from './process/current-process.js'
export { activeChildren, Process } from './process/process.js'
export type {
  JoinOptions as ProcessJoinOptions,
  ProcessOptions,
} from './process/process-options.js'
export type { DropOptions } from './queues/drop-guard.js'
export { BullmqLayout } from './queues/joinable-queue/bullmq-layout.js'
export type { JobOptions, KeepJobs, NewJob } from './queues/joinable-queue/job-options.js'
export type {
  FinishedAs,
  JobCounts,
  JobError,
  JobInfo,
  JobOutcome,
  JobState,
  PutJobResult,
} from './queues/joinable-queue/job-store.js'
export { RUN_TIME_BOUNDS_MS } from './queues/joinable-queue/job-store.js'
export {
  type GetJobOptions,
  JoinableQueue,
  type JoinableQueueOptions,
  type LeasesOptions,
  type ResolvedJoinableQueueOptions,
  type ShutdownOptions as JoinableQueueShutdownOptions,
  type WaitOptions as JoinableQueueWaitOptions,
} from './queues/joinable-queue/joinable-queue.js'
export type { Lease } from './queues/joinable-queue/leases.js'
export {
  type GetOptions,
  type PutOptions,
  Queue,
  type QueueOptions,
  type ShutdownOptions,
} from './queues/queue.js'
export { listQueues } from './queues/queue-registry.js'
export { listWorkers, type WorkerInfo } from './queues/workers.js'
export type { ClusterTarget, RedisClient, RedisTarget } from './redis/client.js'
export { KEY_PREFIX, ObjectKeys, parseKey, validateName } from './redis/keys.js'
export type { Durability } from './redis/replica-wait.js'
export { scanKeys } from './redis/scan.js'
export type { BlockingClientOptions, Scope } from './redis/scope.js'
export { SharedArray } from './sharedctypes/shared-array.js'
export { Value } from './sharedctypes/value.js'
export { Barrier, type BarrierOptions } from './synchronize/barrier.js'
export { BoundedSemaphore } from './synchronize/bounded-semaphore.js'
export { Condition } from './synchronize/condition.js'
export { Event } from './synchronize/event.js'
export {
  type BarrierState,
  type ConditionState,
  type EventState,
  inspectSync,
  type LockState,
  type SemaphoreState,
  type SyncState,
} from './synchronize/inspect.js'
export type { LeaseOptions } from './synchronize/lease.js'
export type { LeasedLock, LockOptions } from './synchronize/leased-lock.js'
export { Lock } from './synchronize/lock.js'
export { RLock } from './synchronize/rlock.js'
export { Semaphore, type SemaphoreOptions } from './synchronize/semaphore.js'
export type { AcquireOptions } from './synchronize/waiting.js'
export type { WaitOptions } from './waits.js'
