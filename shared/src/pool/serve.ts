import { setMaxListeners } from 'node:events'
import { RedprocTypeError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { DelayPromoter } from '../queues/joinable-queue/delay-promoter.js'
import { JoinableQueue } from '../queues/joinable-queue/joinable-queue.js'
import { registerQueue } from '../queues/queue-registry.js'
import { ListedTasks, WorkerHeartbeat, type WorkerInfo } from '../queues/workers.js'
import { validateName } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { runChunk, type Tasks } from './chunk.js'
import { LocalBackend } from './local-backend.js'
import { POOL_DEFAULTS } from './pool-options.js'
import { type FinishedJob, ServeSlot, type SlotShared } from './serve-slot.js'
import { type ChunkRequest, type Job, Terminations } from './wire.js'

export type { FinishedJob } from './serve-slot.js'

export interface ServeOptions {
  /** The queue pools and producers put work on. @default 'tasks' */
  queue?: string
  /** The tasks this process runs, by name: a tasks module's exports. */
  tasks: Tasks
  /** Jobs run at once. @default 1 */
  concurrency?: number
  /**
   * Runs the tasks on this many worker threads, which load `module` (the
   * tasks module's path or URL) themselves, instead of on this thread. For
   * CPU-bound tasks: this thread stays free to renew leases and take work.
   * @default none: tasks run on this thread
   */
  threads?: { module: string | URL; count: number }
  /** How often the worker tells Redis it is alive. @default 1000 */
  heartbeatMs?: number
  /**
   * How long a job stays with this process if it dies before answering,
   * before another worker gets it. @default the joinable queue's (30000)
   */
  lease?: number
  /**
   * The most chunks a slot takes in one round trip while its chunks finish
   * quickly (the batch starts at 1 and doubles while the slot empties it
   * within 50 ms). More than 1 spares a round trip per chunk for streams of
   * tiny chunks, but a slot may then hold chunks another worker could run
   * now, which unbalances maps of a few long chunks (Python's default
   * chunking); chunks held go back to the queue after 100 ms without a get.
   * @default 1
   */
  prefetch?: number
  /** Called as each job finishes, for logs and metrics. @default none */
  onFinished?: (job: FinishedJob) => void
}

export const SERVE_DEFAULTS = {
  queue: POOL_DEFAULTS.queue,
  concurrency: 1,
  heartbeatMs: 1000,
  prefetch: 1,
} as const

/** The names of missing tasks a heartbeat lists at most: the queue's chunks name them. */
const MAX_MISSING_TASKS = 32

const SCHEMA: Schema<ServeOptions> = {
  queue: (value, name) => validateName(value, name),
  tasks: (value, name) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RedprocTypeError(`${name} must be an object of task functions by name`)
    }
    return value as Tasks
  },
  concurrency: option.integer(1),
  threads: (value, name) => {
    const { module, count } = checkOptions(
      value as ServeOptions['threads'],
      { module: threadModule, count: option.integer(1) },
      name,
    )
    if (module === undefined || count === undefined) {
      throw new RedprocTypeError(`${name} needs both module and count`)
    }
    return { module, count }
  },
  heartbeatMs: option.integer(1),
  lease: option.integer(100),
  prefetch: option.integer(1),
  onFinished: option.function<(job: FinishedJob) => void>(),
}

function threadModule(value: unknown, name: string): string | URL {
  return value instanceof URL ? value : option.string(value, name)
}

export type ServeState = 'running' | 'stopping' | 'stopped'

/** A serving process's handle on its work: what `serve()` returns. */
export interface ServeHandle extends AsyncDisposable {
  readonly id: string
  readonly state: ServeState
  /** The figures its heartbeat reports. */
  info(): WorkerInfo
  /**
   * Finishes the jobs in hand, takes no new ones, and leaves the worker list.
   * A second call waits for the first; every step runs even if one fails.
   */
  stop(): Promise<void>
  /** stop(): what `await using` calls. */
  close(): Promise<void>
}

/**
 * The worker side of a joinable queue: takes jobs from `queue` — chunks of
 * `mp.pool({ backend: 'redis' })` and single calls put by `putJobs` — runs
 * their named task, stores each outcome in its job (and sends a chunk's
 * reply to its pool), and acknowledges it. Each of the `concurrency` slots
 * has its own queue handle, so a job is acknowledged only once its own
 * outcome is stored: if this process dies first, it is delivered again
 * elsewhere. It also promotes the queue's delayed jobs when due.
 */
export async function serve(mp: Scope, given: ServeOptions): Promise<ServeHandle> {
  const options = checkOptions(given, SCHEMA, 'serve() options')
  if (options.tasks === undefined) {
    throw new RedprocTypeError('serve() needs { tasks }: an object of task functions by name')
  }
  const queue = options.queue ?? SERVE_DEFAULTS.queue
  const concurrency = options.concurrency ?? SERVE_DEFAULTS.concurrency
  const prefetch = options.prefetch ?? SERVE_DEFAULTS.prefetch
  const tasks = options.tasks
  const threads = options.threads
    ? new LocalBackend({
        workers: 'threads',
        tasks: options.threads.module,
        processes: options.threads.count,
      })
    : undefined
  const heartbeat = new WorkerHeartbeat(mp, options.heartbeatMs ?? SERVE_DEFAULTS.heartbeatMs)
  const startedAt = Date.now()
  const current = new Map<number, string>()
  const counts = { processed: 0, failed: 0, passedOn: 0 }
  const missingTasks = new Set<string>()
  const hasTask = (name: string) => Object.hasOwn(tasks, name) && typeof tasks[name] === 'function'
  let state: ServeState = 'running'

  const info = (): WorkerInfo => {
    const now = Date.now()
    return {
      id: heartbeat.id,
      host: heartbeat.host,
      pid: process.pid,
      queue,
      concurrency,
      threads: options.threads?.count ?? 0,
      ...counts,
      current: [...current.values()],
      tasks: Object.keys(tasks).filter(hasTask),
      missingTasks: [...missingTasks],
      startedAt,
      uptimeMs: now - startedAt,
      lastSeenAt: now,
    }
  }

  const queueOptions = {
    prefetch,
    ...(options.lease === undefined ? {} : { lease: options.lease }),
  }
  const logger = mp.options.logger
  const listed = new ListedTasks(mp, queue, heartbeat.id)
  const stopping = new AbortController()
  // Every slot's wait listens to it: `concurrency` listeners, not a leak.
  setMaxListeners(0, stopping.signal)
  // Jobs in hand run to the end: a stop cancels none of them.
  const neverCancelled = new AbortController().signal
  const shared: SlotShared = {
    mp,
    run: threads
      ? (request: ChunkRequest) => threads.run(request, neverCancelled)
      : (request: ChunkRequest, between: () => Promise<void> | undefined) =>
          runChunk(tasks, request, between),
    terminations: new Terminations(mp),
    counts,
    current,
    openHandle: () => new JoinableQueue<Job | null>(mp, queue, queueOptions),
    hasTask,
    listedElsewhere: (task) => listed.elsewhere(task),
    passedOn: (task) => {
      counts.passedOn++
      if (missingTasks.size < MAX_MISSING_TASKS) missingTasks.add(task)
    },
    stopping: stopping.signal,
    workerId: heartbeat.id,
    onFinished: options.onFinished ?? (() => {}),
  }
  const promoterQueue = new JoinableQueue(mp, queue)
  const promoter = new DelayPromoter(promoterQueue, (error) =>
    logger.warn({ err: error, queue }, 'serve: promoting delayed jobs failed; retrying'),
  )
  await registerQueue(mp, queue)
  const slots = Array.from({ length: concurrency }, (_, slot) => new ServeSlot(slot, shared))
  await heartbeat.start(info)
  promoter.start()
  const running = Promise.allSettled(slots.map((slot) => slot.run()))

  const stopOnce = async () => {
    state = 'stopping'
    stopping.abort()
    const failures: unknown[] = []
    const step = async (action: () => Promise<unknown>) => {
      try {
        await action()
      } catch (error) {
        failures.push(error)
      }
    }
    await running
    await step(() => promoter.stop())
    for (const slot of slots) await step(() => slot.close())
    await step(() => promoterQueue.close())
    await step(() => heartbeat.stop(queue))
    if (threads) await step(() => threads.close())
    state = 'stopped'
    if (failures.length === 1) throw failures[0]
    if (failures.length > 1) throw new AggregateError(failures, `serve on '${queue}': stop failed`)
  }
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= stopOnce()
    return stopped
  }
  mp.onClose(stop)
  return {
    id: heartbeat.id,
    get state() {
      return state
    },
    info,
    stop,
    close: stop,
    [Symbol.asyncDispose]: stop,
  }
}
