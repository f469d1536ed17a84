import { checkIndex, checkKey } from '../arguments.js'
import type { Context } from '../context.js'
import { ValueError } from '../errors.js'
import type { Tasks } from './chunk.js'
import type { PoolJob } from './pool-job.js'
import { ServeSlot, type SlotShared } from './serve-slot.js'
import { Terminations } from './terminations.js'
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
}

const DEFAULTS = { queue: 'tasks', concurrency: 1, heartbeatMs: 1000, prefetch: 1 } as const

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
  const prefetch = checkIndex(options.prefetch ?? DEFAULTS.prefetch, 'prefetch')
  if (prefetch < 1) throw new ValueError(`prefetch must be at least 1, not ${prefetch}`)
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

  const queueOptions = {
    prefetch,
    ...(options.lease === undefined ? {} : { lease: options.lease }),
  }
  const stopping = new AbortController()
  const shared: SlotShared = {
    mp,
    tasks,
    terminations: new Terminations(mp),
    counts,
    current,
    openHandle: () => mp.joinableQueue<PoolJob>(queue, queueOptions),
    stopping: stopping.signal,
    workerId: heartbeat.id,
  }
  const slots = Array.from({ length: concurrency }, (_, slot) => new ServeSlot(slot, shared))
  await heartbeat.start(info)
  const running = Promise.allSettled(slots.map((slot) => slot.run()))

  const stop = async () => {
    if (state !== 'running') return
    state = 'stopping'
    stopping.abort()
    await running
    await Promise.all(slots.map((slot) => slot.close()))
    await heartbeat.stop(queue)
    state = 'stopped'
  }
  mp.onClose(stop)
  return { id: heartbeat.id, info, stop }
}
