import { setTimeout as sleep } from 'node:timers/promises'
import type { Context } from '../context.js'
import { isRedprocError } from '../errors.js'
import type { JoinableQueue } from '../queues/joinable-queue.js'
import { type ChunkOutcome, runChunk, type Tasks } from './chunk.js'
import { type PoolJob, type PoolReply, poolKeys, REPLY_TTL_MS } from './pool-job.js'
import type { Terminations } from './terminations.js'

/**
 * A slot whose last chunk ran this fast takes its next chunk while the
 * current one runs, sparing a round trip per chunk. It then holds that chunk
 * for at most this long while another worker may be idle: slower chunks are
 * taken only once the slot is free, and stay balanced between workers.
 */
export const LOOKAHEAD_MS = 10

/** What a slot shares with the others of its serving process. */
export interface SlotShared {
  mp: Context
  tasks: Tasks
  terminations: Terminations
  counts: { processed: number; failed: number }
  /** The task each busy slot runs, for the heartbeat. */
  current: Map<number, string>
  openHandle(): JoinableQueue<PoolJob>
  /** Aborted by stop(): no new chunk is taken. */
  stopping: AbortSignal
  workerId: string
}

/**
 * One of serve's `concurrency` slots: it runs one chunk at a time from a
 * queue handle of its own, and acknowledges each chunk only once its reply is
 * in Redis. Replies and takes overlap with the work: while a chunk runs, the
 * previous reply is on its way (and the next chunk too, for fast chunks).
 * taskDone() acknowledges the oldest chunk the handle got; the handle gets
 * chunks in the order they run and acknowledges them in that order, so that
 * is always the chunk whose reply just arrived.
 */
export class ServeSlot {
  private handle: JoinableQueue<PoolJob>
  /** The next chunk, asked for already. */
  private next: Promise<PoolJob> | undefined
  /** The last chunk's reply, then its acknowledgement. */
  private previous: Promise<void> = Promise.resolve()
  private lastRunMs = Number.POSITIVE_INFINITY

  constructor(
    private readonly slot: number,
    private readonly shared: SlotShared,
  ) {
    this.handle = shared.openHandle()
  }

  /** Takes, runs and answers chunks until stop() (or a shutdown of the queue). */
  async run(): Promise<void> {
    const { stopping } = this.shared
    let backoffMs = 0
    while (!stopping.aborted) {
      try {
        const asked = performance.now()
        const job = await this.take()
        // After a wait for work, the last chunk's speed says nothing of this stream's.
        if (performance.now() - asked > LOOKAHEAD_MS) this.lastRunMs = Number.POSITIVE_INFINITY
        await this.runJob(job)
        backoffMs = 0
      } catch (error) {
        if (stopping.aborted || isRedprocError(error, 'SHUTDOWN')) break
        // A reply that may not have been sent must not be acknowledged, and
        // this handle's next taskDone() would acknowledge it: the slot goes
        // on with a fresh handle, and closing this one gives its chunks back
        // (or their lease runs out).
        await this.replaceHandle()
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), 5000)
        this.shared.mp.options.logger.warn(
          { err: error, worker: this.shared.workerId, backoffMs },
          'pool worker slot failed',
        )
        await sleep(backoffMs, undefined, { signal: stopping }).catch(() => {})
      }
    }
    // The last reply and its acknowledgement; if it failed, close() gives the chunk back.
    await this.previous.catch(() => {})
  }

  /** Releases the handle: chunks taken and not acknowledged go back to the queue. */
  close(): Promise<void> {
    return this.handle.close()
  }

  private async take(): Promise<PoolJob> {
    const next = this.next ?? this.ask()
    this.next = undefined
    // A reply failing while the slot waits for work is noticed now, not with the next chunk.
    return Promise.race([next, this.previous.then(() => next)])
  }

  private ask(): Promise<PoolJob> {
    const next = this.handle.get({ signal: this.shared.stopping })
    next.catch(() => {})
    return next
  }

  private async runJob(job: PoolJob): Promise<void> {
    const handle = this.handle
    if (this.lastRunMs < LOOKAHEAD_MS) this.next = this.ask()
    const started = performance.now()
    let reply: PoolReply | undefined
    try {
      this.shared.current.set(this.slot, String(job?.task))
      reply = await this.outcomeOf(job)
    } finally {
      this.shared.current.delete(this.slot)
    }
    this.lastRunMs = performance.now() - started
    // One reply on its way at a time, acknowledged in order.
    await this.previous
    const replied = reply ? this.send(job.pool, reply) : Promise.resolve()
    if (!this.next && !this.shared.stopping.aborted) this.next = this.ask()
    this.previous = replied.then(() => handle.taskDone())
    this.previous.catch(() => {})
  }

  /** The chunk's reply, or none for a chunk of a terminated pool or an item that is no chunk. */
  private async outcomeOf(job: PoolJob): Promise<PoolReply | undefined> {
    const { mp, tasks, terminations, counts } = this.shared
    if (!isPoolJob(job)) {
      // Not put by a pool: it can never run, so it is acknowledged and
      // dropped rather than delivered again and again.
      mp.options.logger.warn({ item: job }, 'pool worker dropped an item that is not a pool chunk')
      return undefined
    }
    if (await terminations.terminated(job.pool)) return undefined
    const handle = this.handle
    const outcome: ChunkOutcome = await runChunk(tasks, job, () => handle.keepAlive())
    counts.processed += job.items.length
    if (!outcome.ok) counts.failed++
    return { chunk: job.chunk, outcome }
  }

  /**
   * One round trip: the reply, its expiry, and whether the pool was
   * terminated meanwhile, which spares the pool's next chunk a round trip.
   */
  private async send(pool: string, reply: PoolReply): Promise<void> {
    const { mp, terminations } = this.shared
    const keys = poolKeys(mp, pool)
    const results = await mp.redis
      .pipeline()
      .rpush(keys.replies, JSON.stringify(reply))
      .pexpire(keys.replies, REPLY_TTL_MS)
      .exists(keys.terminated)
      .exec()
    const failure = results?.find(([error]) => error)?.[0]
    if (failure) throw failure
    terminations.note(pool, results?.[2]?.[1] === 1)
  }

  private async replaceHandle(): Promise<void> {
    const old = this.handle
    this.handle = this.shared.openHandle()
    this.next = undefined
    this.previous = Promise.resolve()
    await old.close().catch(() => {})
  }
}

function isPoolJob(job: unknown): job is PoolJob {
  const candidate = job as Partial<PoolJob> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.pool === 'string' &&
    typeof candidate.chunk === 'number' &&
    typeof candidate.task === 'string' &&
    Array.isArray(candidate.items)
  )
}
