import { setTimeout as sleep } from 'node:timers/promises'
import { checkIndex, checkKey } from '../arguments.js'
import type { Context } from '../context.js'
import { isRedprocError, ValueError } from '../errors.js'
import type { JoinableQueue } from '../queues/joinable-queue.js'
import { type ChunkOutcome, runChunk, type Tasks } from './chunk.js'
import { type PoolJob, type PoolReply, poolKeys, REPLY_TTL_MS } from './pool-job.js'
import { WorkerHeartbeat, type WorkerInfo } from './workers.js'

export interface ServeOptions {
  /** The queue pools put work on. @default 'tasks' */
  queue?: string
  /** The tasks this process runs, by name: a tasks module's exports. */
  tasks: Tasks
  /** Items run at once. @default 1 */
  concurrency?: number
  /** How often the worker tells Redis it is alive. @default 1000 */
  heartbeatMs?: number
  /**
   * How long an item stays with this process if it dies before answering,
   * before another worker gets it. @default the joinable queue's (30000)
   */
  lease?: number
}

const DEFAULTS = { queue: 'tasks', concurrency: 1, heartbeatMs: 1000 } as const

type State = 'running' | 'stopping' | 'stopped'

/** A serving process's handle on its work. */
export interface Server {
  readonly id: string
  /** The figures its heartbeat reports. */
  info(): WorkerInfo
  /** Finishes the items in hand, takes no new ones, and leaves the worker list. */
  stop(): Promise<void>
}

/**
 * The worker side of `mp.pool({ backend: 'redis' })`: takes chunks from
 * `queue`, runs their named task, sends the results back to the pool that
 * asked, and acknowledges them. Each of the `concurrency` slots has its own
 * queue handle, so an item is acknowledged only once its own result is sent:
 * if this process dies first, the item is delivered again elsewhere.
 */
export async function serve(mp: Context, options: ServeOptions): Promise<Server> {
  const queue = checkKey(options.queue ?? DEFAULTS.queue, 'queue')
  const concurrency = checkIndex(options.concurrency ?? DEFAULTS.concurrency, 'concurrency')
  if (concurrency < 1) throw new ValueError(`concurrency must be at least 1, not ${concurrency}`)
  const tasks = options.tasks
  const heartbeat = new WorkerHeartbeat(mp, options.heartbeatMs ?? DEFAULTS.heartbeatMs)
  const startedAt = Date.now()
  const current = new Map<number, string>()
  const counts = { processed: 0, failed: 0 }
  let state: State = 'running'

  const info = (): WorkerInfo => ({
    id: heartbeat.id,
    host: heartbeat.host,
    pid: process.pid,
    queue,
    concurrency,
    ...counts,
    current: [...current.values()],
    tasks: Object.keys(tasks).filter((name) => typeof tasks[name] === 'function'),
    startedAt,
    lastSeenAt: Date.now(),
  })

  const stopping = new AbortController()
  const runSlot = async (slot: number, handle: JoinableQueue<PoolJob>) => {
    let backoffMs = 0
    while (state === 'running') {
      try {
        const job = await handle.get({ signal: stopping.signal })
        current.set(slot, job.task)
        await handleJob(mp, tasks, job, counts).finally(() => current.delete(slot))
        handle.taskDone()
        backoffMs = 0
      } catch (error) {
        if (stopping.signal.aborted || isRedprocError(error, 'SHUTDOWN')) return
        // Redis trouble: the item, if any, comes back after its lease; try again later.
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), 5000)
        mp.options.logger.warn(
          { err: error, worker: heartbeat.id, backoffMs },
          'pool worker slot failed',
        )
        await sleep(backoffMs)
      }
    }
  }

  // prefetch 1: a slot holds only the item it runs, so others can take the rest
  const queueOptions = {
    prefetch: 1,
    ...(options.lease === undefined ? {} : { lease: options.lease }),
  }
  const handles = Array.from({ length: concurrency }, () =>
    mp.joinableQueue<PoolJob>(queue, queueOptions),
  )
  await heartbeat.start(info)
  const slots = Promise.allSettled(handles.map((handle, slot) => runSlot(slot, handle)))

  const stop = async () => {
    if (state !== 'running') return
    state = 'stopping'
    stopping.abort()
    await slots
    await Promise.all(handles.map((handle) => handle.close()))
    await heartbeat.stop(queue)
    state = 'stopped'
  }
  mp.onClose(stop)
  return { id: heartbeat.id, info, stop }
}

async function handleJob(
  mp: Context,
  tasks: Tasks,
  job: PoolJob,
  counts: { processed: number; failed: number },
) {
  const keys = poolKeys(mp, job.pool)
  if ((await mp.redis.exists(keys.terminated)) === 1) return
  const outcome: ChunkOutcome = await runChunk(tasks, job)
  counts.processed += job.argsList.length
  if (!outcome.ok) counts.failed++
  const reply: PoolReply = { chunk: job.chunk, outcome }
  await mp.redis
    .multi()
    .rpush(keys.replies, JSON.stringify(reply))
    .pexpire(keys.replies, REPLY_TTL_MS)
    .exec()
}
