import { checkIterable } from '../../arguments.js'
import type { Json } from '../../codec.js'
import { RedprocError } from '../../errors.js'
import { checkOptions, option, type Schema } from '../../options.js'
import { withinDeadline } from '../../redis/call-deadline.js'
import { KEY_PARTS } from '../../redis/keys.js'
import { signalHub } from '../../redis/signal-hub.js'
import { Deadline, failAborted, throwIfAborted } from '../../waits.js'
import { registerQueue } from '../queue-registry.js'
import { checkJobLookupId, type NewJob, prepareJob } from './job-options.js'
import {
  type FinishedAs,
  type JobCounts,
  type JobInfo,
  type JobOutcome,
  JobStore,
  type PutJobResult,
} from './job-store.js'
import { JoinableQueueItems } from './joinable-queue-items.js'
import { Wakeup } from './wakeup.js'

export type { LeasesOptions } from './joinable-queue-items.js'
export type {
  BlockingOptions,
  JoinableQueueOptions,
  ResolvedJoinableQueueOptions,
  ShutdownOptions,
  WaitOptions,
} from './joinable-queue-options.js'

/** The options of `getJob`. */
export interface GetJobOptions {
  /** Ms to wait for the job to finish before answering with its state then. @default 0 */
  wait?: number
  /** Gives up the wait: ABORTED, with the signal's reason as `cause`. */
  signal?: AbortSignal
}

const GET_JOB_OPTIONS: Schema<GetJobOptions> = { wait: option.timeout, signal: option.signal }

/**
 * `multiprocessing.JoinableQueue` on BullMQ: every item is a BullMQ job of the
 * queue `bullmq.name` under the prefix `bullmq.prefix`, so BullMQ's classes and
 * bull-board see it. A get leases the item to this handle (a BullMQ job lock,
 * renewed while the process lives); taskDone() acknowledges the oldest item
 * the handle got. If a consumer dies first, the lapsed-lease check (run by
 * every consumer, once per period in Redis) puts its items back at the head
 * of the queue (at-least-once), and join() still
 * completes: an unfinished count kept in the same scripts as puts and acks
 * reaches 0 exactly once per item.
 */
export class JoinableQueue<T extends Json = Json> extends JoinableQueueItems<T> {
  // Jobs: items with ids, options and outcomes, as BullMQ has them. A job is
  // an item like any other (get, taskDone and join see it); these methods
  // add what a job service needs around it.

  /** Puts one job; resolves with its id (the existing one when `opts.jobId` names a kept job). */
  async putJob(data: T, opts?: NewJob<T>['opts']): Promise<string> {
    const [put] = await this.putJobs([opts === undefined ? { data } : { data, opts }])
    return (put as PutJobResult).id
  }

  /**
   * BullMQ's `addBulk`: puts the jobs in order, in batched round trips, and
   * resolves with their ids. All are checked before any is written. A chosen
   * `jobId` that exists with the same data is not put again (`created:
   * false`); with other data it refuses the whole batch with VALUE_ERROR.
   * On a bounded queue a batch that does not fit fails with FULL.
   */
  async putJobs(jobs: Iterable<NewJob<T>>): Promise<PutJobResult[]> {
    const prepared = Array.from(checkIterable(jobs, 'jobs'), (job, i) =>
      prepareJob(job, `jobs[${i}]`),
    )
    this.checkOpen()
    if (prepared.length === 0) return []
    const results = await this.jobStore().put(prepared, this.options.keepEvents)
    await registerQueue(this.mp, this.name)
    return results
  }

  /**
   * The job `id` with its state, result or error, attempts and times;
   * undefined when there is none (never put, or removed after it finished).
   * With `wait`, waits up to that long for the job to finish first, woken
   * when it does.
   */
  async getJob(id: string, options: GetJobOptions = {}): Promise<JobInfo | undefined> {
    checkJobLookupId(id)
    const { wait: timeoutMs, signal } = checkOptions(options, GET_JOB_OPTIONS, 'getJob() options')
    throwIfAborted(signal, 'getJob')
    this.checkOpen()
    return failAborted(signal, 'getJob', () =>
      withinDeadline(timeoutMs, () => this.readJob(id, timeoutMs, signal)),
    )
  }

  private async readJob(
    id: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<JobInfo | undefined> {
    const store = this.jobStore()
    if (!timeoutMs) return store.read(id, false)
    const finished = new Wakeup()
    // Listen first, then read and flag the job: its end is heard either way.
    const stop = await signalHub(this.mp).listen(store.finished, (message) => {
      if (message === null || message === id) finished.notify()
    })
    const deadline = new Deadline(timeoutMs)
    try {
      let job = await store.read(id, true)
      while (job && job.state !== 'completed' && job.state !== 'failed') {
        const woken = await finished.waitOrRecheck(deadline, signal, this.closed.signal)
        job = await store.read(id, false)
        if (!woken) break
      }
      return job
    } finally {
      await stop()
    }
  }

  /**
   * taskDone() with an outcome, in one atomic step: the result or the error
   * goes into the job (BullMQ's `returnvalue`, `failedReason`, `stacktrace`);
   * a failed job with attempts left is queued again (after its backoff), and
   * any other is acknowledged, so join() counts it done. Like taskDone() it
   * concerns the oldest job this handle got and has not finished: finish
   * jobs one at a time, in order. 'lost' when the job's lease had lapsed and
   * it went to another consumer (nothing is written then).
   */
  async finishJob(outcome: JobOutcome): Promise<FinishedAs> {
    this.checkOpen()
    const item = this.held[0]
    if (!item) {
      throw new RedprocError(
        'TOO_MANY_TASK_DONE',
        `finishJob() called more times than jobs were taken from ${this.describe()} by this handle`,
      )
    }
    const finishedAs = await this.jobStore().finish(item, outcome, this.options.keepCompleted)
    // The script acknowledged it: the handle only moves past the job.
    const index = this.held.indexOf(item)
    if (index >= 0) this.held.splice(index, 1)
    this.keeper.remove([item])
    return finishedAs
  }

  /** How many jobs wait, run, are delayed, completed, failed, and unfinished for join(). */
  async counts(): Promise<JobCounts> {
    this.checkOpen()
    return this.jobStore().counts()
  }

  /** Moves the delayed jobs that are due to the queue; resolves with when the next is due (ms since the epoch). */
  async promoteDelayed(): Promise<number | undefined> {
    this.checkOpen()
    return this.jobStore().promote()
  }

  private jobs: JobStore | undefined

  private jobStore(): JobStore {
    this.jobs ??= new JobStore(
      (exchange) => this.call(exchange),
      this.layout,
      this.key,
      this.channel,
      this.objectKeys.part(KEY_PARTS.joinableQueue.finished),
      this.mp,
    )
    return this.jobs
  }
}
