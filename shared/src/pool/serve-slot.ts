import { setTimeout as sleep } from 'node:timers/promises'
import { isRedprocError, type RemoteFailure } from '../errors.js'
import type { FinishedAs, JobError, JobOutcome } from '../queues/joinable-queue/job-store.js'
import type { JoinableQueue } from '../queues/joinable-queue/joinable-queue.js'
import type { Scope } from '../redis/scope.js'
import {
  type ChunkOutcome,
  type ChunkRequest,
  chunkFailed,
  isCallJob,
  isPoolJob,
  type Job,
  type PoolReply,
  type Terminations,
} from './wire.js'

/**
 * A slot whose last chunk ran this fast takes its next chunk while the
 * current one runs, sparing a round trip per chunk. It then holds that chunk
 * for at most this long while another worker may be idle: slower chunks are
 * taken only once the slot is free, and stay balanced between workers.
 */
export const LOOKAHEAD_MS = 10

/** A job taken from the queue, with its id. */
interface TakenJob {
  id: string
  data: Job | null
}

/** What became of one job a slot ran, for the serving process's log. */
export interface FinishedJob {
  id: string
  task: string
  /** Where the job went: completed, failed, retrying (attempts left), or lost (its lease had lapsed). */
  finishedAs: FinishedAs
  durationMs: number
  error?: JobError
}

/** What a slot shares with the others of its serving process. */
export interface SlotShared {
  mp: Scope
  /**
   * Runs a chunk, here or on a worker thread; `between` is called between its items, where a chunk run
   * in this thread keeps its lease (see `runChunk`).
   */
  run(request: ChunkRequest, between: () => Promise<void> | undefined): Promise<ChunkOutcome>
  terminations: Terminations
  counts: { processed: number; failed: number }
  /** The task each busy slot runs, for the heartbeat. */
  current: Map<number, string>
  openHandle(): JoinableQueue<Job | null>
  /** Whether this process has the task. */
  hasTask(task: string): boolean
  /** Whether another live worker of the queue lists the task. */
  listedElsewhere(task: string): Promise<boolean>
  /** Records a chunk passed on for want of its task, for the heartbeat. */
  passedOn(task: string): void
  /** Aborted by stop(): no new chunk is taken. */
  stopping: AbortSignal
  workerId: string
  onFinished(job: FinishedJob): void
}

/**
 * One of serve's `concurrency` slots: it runs one job at a time from a queue
 * handle of its own, and finishes each (its outcome stored, acknowledged)
 * only once a chunk's reply is in Redis. Replies and takes overlap with the work: while a chunk runs, the
 * previous reply is on its way (and the next chunk too, for fast chunks).
 * taskDone() acknowledges the oldest chunk the handle got; the handle gets
 * chunks in the order they run and acknowledges them in that order, so that
 * is always the chunk whose reply just arrived.
 */
export class ServeSlot {
  private handle: JoinableQueue<Job | null>
  /** The next job, asked for already. */
  private next: Promise<TakenJob> | undefined
  /** The last chunk's reply, then its acknowledgement. */
  private previous: Promise<void> = Promise.resolve()
  private lastRunMs = Number.POSITIVE_INFINITY
  /** How long the slot waits after passing a chunk on, so as not to take it straight back. */
  private passBackoffMs = 0

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
        if (await this.passOn(job)) continue
        await this.runJob(job)
        backoffMs = 0
        this.passBackoffMs = 0
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

  private async take(): Promise<TakenJob> {
    const next = this.next ?? this.ask()
    this.next = undefined
    // A reply failing while the slot waits for work is noticed now, not with the next chunk.
    return Promise.race([next, this.previous.then(() => next)])
  }

  private ask(): Promise<TakenJob> {
    const next = this.handle.nextJob({ signal: this.shared.stopping })
    next.catch(() => {})
    return next
  }

  /**
   * A pool chunk whose task this process lacks, while another live worker of
   * the queue lists it (a rolling deploy, or workers that serve different
   * tasks on one queue), goes back to the end of the queue for that worker,
   * and the slot waits a little before it takes again: put anew, and this
   * copy acknowledged, since a job cannot go back to the queue by itself.
   * Without such a worker the chunk runs here and fails with UNKNOWN_TASK.
   * A single call put over HTTP keeps its job id for its caller, so it is
   * not passed on.
   */
  private async passOn(job: TakenJob): Promise<boolean> {
    const { shared } = this
    if (!isPoolJob(job.data) || shared.hasTask(job.data.task)) return false
    if (!(await shared.listedElsewhere(job.data.task))) return false
    // finishJob() concerns the oldest job of the handle: the last chunk's first.
    await this.previous
    await this.handle.putMany([job.data], { signal: shared.stopping })
    await this.handle.finishJob({
      ok: true,
      result: { passedOn: `task '${job.data.task}' is not served by ${shared.workerId}` },
    })
    shared.passedOn(job.data.task)
    this.passBackoffMs = Math.min(Math.max(this.passBackoffMs * 2, 25), 1000)
    await sleep(this.passBackoffMs, undefined, { signal: shared.stopping }).catch(() => {})
    return true
  }

  private async runJob(job: TakenJob): Promise<void> {
    const handle = this.handle
    if (this.lastRunMs < LOOKAHEAD_MS) this.next = this.ask()
    const started = performance.now()
    const task = String(job.data?.task)
    let ran: Ran
    try {
      this.shared.current.set(this.slot, task)
      ran = await this.outcomeOf(job.data)
    } finally {
      this.shared.current.delete(this.slot)
    }
    this.lastRunMs = performance.now() - started
    // One reply on its way at a time, finished in order.
    await this.previous
    const replied = ran.reply
      ? this.shared.terminations.reply(ran.reply.pool, ran.reply.reply)
      : Promise.resolve()
    if (!this.next && !this.shared.stopping.aborted) this.next = this.ask()
    this.previous = replied
      .then(() => handle.finishJob(ran.outcome))
      .then((finishedAs) => {
        const durationMs = performance.now() - started
        const { outcome } = ran
        this.shared.onFinished({
          id: job.id,
          task,
          finishedAs,
          durationMs,
          ...(outcome.ok ? {} : { error: outcome.error }),
        })
      })
    this.previous.catch(() => {})
  }

  /** What running the job gave: the outcome to store, and a chunk's reply to its pool. */
  private async outcomeOf(job: Job | null): Promise<Ran> {
    const { terminations, counts } = this.shared
    if (isPoolJob(job)) {
      if (await terminations.terminated(job.pool)) {
        return {
          outcome: failed('SHUTDOWN', `pool ${job.pool} was terminated before this chunk ran`),
        }
      }
      const outcome = await this.runRequest(job)
      counts.processed += job.items.length
      if (!outcome.ok) counts.failed++
      return {
        reply: { pool: job.pool, reply: { chunk: job.chunk, outcome } },
        outcome: outcome.ok ? { ok: true, result: outcome.results } : failedWith(outcome.failure),
      }
    }
    if (isCallJob(job)) {
      const outcome = await this.runRequest({ task: job.task, items: [job.args], spread: true })
      counts.processed++
      if (!outcome.ok) counts.failed++
      return {
        outcome: outcome.ok
          ? { ok: true, result: outcome.results[0] ?? null }
          : failedWith(outcome.failure),
      }
    }
    // The seed's `None` sentinel: the producer is done; there is nothing to run.
    if (job === null) return { outcome: { ok: true, result: null } }
    // Put by something else: it can never run, so it fails rather than coming back again and again.
    counts.failed++
    return {
      outcome: failed(
        'VALUE_ERROR',
        'not a job: a serving process runs { task, args } or a pool chunk { task, items, pool, chunk }',
      ),
    }
  }

  /** Runs a chunk; a worker thread that died fails the chunk rather than the slot. */
  private async runRequest(request: ChunkRequest): Promise<ChunkOutcome> {
    try {
      const handle = this.handle
      return await this.shared.run(request, () => handle.keepAlive())
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return chunkFailed(request.task, 'REMOTE_TASK_FAILED', message, {
        pid: process.pid,
        threadId: 0,
      })
    }
  }

  private async replaceHandle(): Promise<void> {
    const old = this.handle
    this.handle = this.shared.openHandle()
    this.next = undefined
    this.previous = Promise.resolve()
    await old.close().catch(() => {})
  }
}

/** What running a job gave: the outcome to store, and for a chunk the reply to its pool. */
interface Ran {
  outcome: JobOutcome
  reply?: { pool: string; reply: PoolReply }
}

function failed(code: string, message: string): JobOutcome {
  return { ok: false, error: { code, message } }
}

function failedWith(failure: RemoteFailure): JobOutcome {
  const { code, message, stack } = failure
  return { ok: false, error: stack === undefined ? { code, message } : { code, message, stack } }
}
