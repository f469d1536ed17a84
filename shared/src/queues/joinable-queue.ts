import { blockingSeconds, checkIterable } from '../arguments.js'
import { decode, encode, type Json } from '../codec.js'
import type { Context } from '../context.js'
import { checkDropOptions, type DropOptions, refuseWhileServed } from '../drop.js'
import { Full, isRedprocError, RedprocError, ShutDown, Timeout, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { listWorkers } from '../pool/workers.js'
import { isUnreachable, withinDeadline } from '../redis/call-deadline.js'
import { openClient, type RedisClient } from '../redis/client.js'
import { deleteKeys } from '../redis/delete-keys.js'
import { SharedObject } from '../redis/shared-object.js'
import { AckBatcher } from './ack-batcher.js'
import { BullmqLayout } from './bullmq-layout.js'
import { ItemFetcher, type TakeResult } from './item-fetcher.js'
import { itemsUntilShutdown } from './items-until-shutdown.js'
import { checkJobLookupId, type NewJob, prepareJob } from './job-options.js'
import { JobScripts } from './job-scripts.js'
import {
  type FinishedAs,
  type JobCounts,
  type JobInfo,
  type JobOutcome,
  JobStore,
  type PutJobResult,
} from './job-store.js'
import {
  type BlockingOptions,
  checkBlockingOptions,
  checkShutdownOptions,
  checkWaitOptions,
  type JoinableQueueOptions,
  type ResolvedJoinableQueueOptions,
  resolveOptions,
  type ShutdownOptions,
  type WaitOptions,
} from './joinable-queue-options.js'
import { LeaseKeeper, type Taken } from './lease-keeper.js'
import { describeUnfinished, holderStem, type Lease, readLeases } from './leases.js'
import { registerQueue, unregisterQueue } from './queue-registry.js'
import { signalHub } from './signal-hub.js'
import { deadlineOf, Wakeup } from './wakeup.js'

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
  /** Gives up the wait, failing with the signal's reason. */
  signal?: AbortSignal
}

/** The options of `leases`. */
export interface LeasesOptions {
  /** The most leases to read, newest first. @default 1000 */
  limit?: number
}

const LEASES_OPTIONS: Schema<LeasesOptions> = { limit: option.integer(1) }
const GET_JOB_OPTIONS: Schema<GetJobOptions> = { wait: option.timeout, signal: option.signal }

/** Items written per script call: big enough to batch, small enough not to stall Redis. */
const PUT_CHUNK = 1000

type State = 'open' | 'closing' | 'closed'

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
export class JoinableQueue<T extends Json = Json>
  extends SharedObject
  implements AsyncDisposable, AsyncIterable<T>
{
  readonly options: ResolvedJoinableQueueOptions
  /** Where BullMQ finds this queue: `new Queue(bullmq.name, { prefix: bullmq.prefix, connection })`. */
  readonly bullmq: { readonly name: string; readonly prefix: string }
  private readonly layout: BullmqLayout
  private readonly channel: string
  private readonly scripts: JobScripts
  /** Stems this handle's lock tokens, so a lock names its holder's host and pid. */
  private readonly handle = holderStem()
  /** Items handed to gets and not yet acknowledged, oldest first. */
  private readonly held: Taken[] = []
  private readonly fetcher: ItemFetcher
  private readonly keeper: LeaseKeeper
  private readonly acks: AckBatcher
  /** Aborted by close(): pending puts and joins fail with its reason. */
  private readonly closed = new AbortController()
  private blocking: Promise<RedisClient> | undefined
  private takes = 0
  private state: State = 'open'
  private closing: Promise<void> | undefined
  private engaged = false

  constructor(mp: Context, name: string, options: JoinableQueueOptions = {}) {
    super(mp, 'joinable-queue', name)
    this.options = resolveOptions(options)
    this.layout = new BullmqLayout(this.objectKeys, name)
    this.bullmq = { name: this.layout.queueName, prefix: this.layout.prefix }
    this.channel = this.objectKeys.part('signals')
    this.scripts = new JobScripts(
      (exchange) => this.call(exchange),
      this.layout,
      this.key,
      this.channel,
    )
    this.keeper = new LeaseKeeper(
      mp,
      this.layout,
      this.options.lease,
      () => this.fetcher.hasWaiters,
    )
    this.acks = new AckBatcher(
      (items) => this.writeAcks(items),
      (error) => this.logBackgroundError(error, 'acknowledgements not written yet; retrying'),
    )
    this.fetcher = new ItemFetcher(
      {
        take: (count) => this.take(count),
        awaitItems: (timeoutMs) => this.awaitItems(timeoutMs),
        passWake: () => this.call((redis) => redis.zadd(this.layout.keys.marker, 0, '0')).then(),
        giveBack: (items) => this.release(items),
        handOut: (item) => this.held.push(item),
        reachable: () => !isUnreachable(this.mp.redis),
        sendDue: () => {
          this.acks.send()
          this.keeper.renewIfDue()
        },
        onBackgroundError: (error) => this.logBackgroundError(error, 'could not give items back'),
      },
      this.options.prefetch,
      this.describe(),
    )
  }

  /**
   * Puts `item`, waiting while a bounded queue is full: FULL on timeout (or
   * at once with `block: false`), SHUTDOWN after shutdown().
   */
  async put(item: T, options?: BlockingOptions): Promise<void> {
    const text = encode(item, 'item')
    const { block, timeoutMs, deadline, signal } = checkBlockingOptions(options, 'put')
    this.checkOpen()
    await withinDeadline(block ? timeoutMs : 0, () =>
      this.putTexts([text], block, deadline, signal, timeoutMs),
    )
  }

  /** Puts `item` now, or fails with FULL. */
  async putNowait(item: T): Promise<void> {
    const text = encode(item, 'item')
    this.checkOpen()
    await this.putTexts([text], false, undefined, undefined)
  }

  /**
   * Puts every item, in order, in batched round trips; all are checked before
   * any is written. On a bounded queue it waits for room as put() would; a
   * timeout fails with FULL and leaves the items put so far.
   */
  async putMany(items: Iterable<T>, options: WaitOptions = {}): Promise<void> {
    const texts = Array.from(checkIterable(items, 'items'), (item, i) => encode(item, 'items', i))
    const { timeoutMs, deadline, signal } = checkWaitOptions(options, 'putMany')
    this.checkOpen()
    if (texts.length === 0) return
    await withinDeadline(timeoutMs, () => this.putTexts(texts, true, deadline, signal, timeoutMs))
  }

  /**
   * Takes the next item, waiting for one: EMPTY on timeout (or at once with
   * `block: false`), SHUTDOWN once shut down and drained.
   */
  async get(options?: BlockingOptions): Promise<T> {
    return (await this.nextJob(options)).data
  }

  /** Takes the next item now, or fails with EMPTY (SHUTDOWN once shut down and drained). */
  async getNowait(): Promise<T> {
    this.checkOpen()
    this.engage()
    const item = await this.fetcher.getNowait()
    return decode(item.data, this.describe()) as T
  }

  /**
   * Python's `task_done()`: acknowledges the oldest item this handle got and
   * has not acknowledged. The ack leaves with the others of the moment, at
   * the latest before this handle hands out its next item; the promise
   * resolves once it is in Redis. It is safe to ignore (join() and close()
   * wait for the acks); await it, or `flush()`, before `process.exit`. If the
   * ack cannot be written the item comes back after its lease.
   * TOO_MANY_TASK_DONE, at once, when every item this handle got is
   * acknowledged already.
   */
  taskDone(): Promise<void> {
    this.checkOpen()
    const item = this.held.shift()
    if (!item) {
      throw new RedprocError(
        'TOO_MANY_TASK_DONE',
        `taskDone() called more times than items were taken from ${this.describe()} by this handle`,
      )
    }
    return this.acks.add(item)
  }

  /** Resolves once every taskDone() of this handle so far is in Redis. */
  async flush(): Promise<void> {
    this.checkOpen()
    await this.acks.settle()
  }

  /**
   * For a caller that works through an item in long synchronous steps (a pool
   * chunk): when the event loop has not turned for a while, sends the acks and
   * lease renewals that are due and resolves after one turn; undefined when
   * there is nothing to wait for. Between two calls, no more than one lease
   * may pass.
   */
  keepAlive(): Promise<void> | undefined {
    return this.fetcher.breathe()
  }

  /**
   * Waits until every item ever put is acknowledged, from any process; woken
   * by the last ack, and checking Redis again whenever its subscription was
   * renewed (and every few seconds), so a dropped socket cannot strand it.
   * TIMEOUT when `timeout` runs out first.
   */
  async join(options: WaitOptions = {}): Promise<void> {
    const { timeoutMs, deadline, signal } = checkWaitOptions(options, 'join')
    this.checkOpen()
    await withinDeadline(timeoutMs, () => this.joinBy(deadline, signal, timeoutMs))
  }

  private async joinBy(
    deadline: number | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<void> {
    await this.acks.settle()
    this.engage()
    const reached = new Wakeup()
    // Listen first, then read the count: an ack in between is still heard.
    const stop = await signalHub(this.mp).listen(this.channel, (message) => {
      if (message === null || message === 'join') reached.notify()
    })
    try {
      while ((await this.unfinishedInRedis()) > 0) {
        if (!(await reached.waitOrRecheck(deadline, signal, this.closed.signal))) {
          // Who holds what is read only from a Redis that answers.
          const why = isUnreachable(this.mp.redis)
            ? `${this.describe()}: join() timed out`
            : await this.joinTimedOut()
          throw this.ranOut(timeoutMs, new Timeout(why))
        }
      }
    } finally {
      await stop()
    }
  }

  /** Items waiting to be taken (approximate, as in Python), including those this handle fetched ahead. */
  async qsize(): Promise<number> {
    this.checkOpen()
    const waiting = await this.call((redis) => redis.llen(this.layout.keys.wait))
    return waiting + this.fetcher.buffered
  }

  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0
  }

  /** Whether a bounded queue has `maxsize` items waiting. */
  async full(): Promise<boolean> {
    this.checkOpen()
    const [stored, waiting] = await this.call((redis) =>
      Promise.all([redis.hget(this.key, 'maxsize'), redis.llen(this.layout.keys.wait)]),
    )
    const maxsize = stored === null ? this.options.maxsize : Number(stored)
    return maxsize > 0 && waiting >= maxsize
  }

  /** Items put and not yet acknowledged, across all processes (what join() waits on). */
  async unfinishedTasks(): Promise<number> {
    this.checkOpen()
    await this.acks.settle()
    return this.unfinishedInRedis()
  }

  /**
   * Python 3.13's `shutdown()`: put() fails with SHUTDOWN from now on, and
   * get() once the queue is drained; blocked gets and puts wake. Immediate:
   * the waiting items are dropped and counted as done, and gets fail at once.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const mode = checkShutdownOptions(options) ? 'immediate' : 'graceful'
    this.checkOpen()
    await this.scripts.shutdown(mode)
    this.fetcher.learn(mode)
  }

  /**
   * Releases this handle: pending gets fail, acks are written, items it
   * fetched ahead or got and did not acknowledge go back to the queue, and its
   * connections close. The queue itself lives on. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce()
    return this.closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /**
   * Deletes the queue from Redis, leaving none of its keys: items, jobs and
   * their outcomes, counts, shutdown, and the keys BullMQ keeps for it. It
   * resolves with how many keys went; the name may then be used again for a
   * new, empty queue. Closes this handle first (so nothing it held goes back
   * afterwards). IN_USE while a live worker serves the queue, unless `force`.
   */
  async delete(options?: DropOptions): Promise<number> {
    const force = checkDropOptions(options, 'delete')
    this.checkOpen()
    if (!force) {
      const workers = await this.call(() => listWorkers(this.mp, this.name))
      refuseWhileServed(workers, this.describe(), 'delete({ force: true })')
    }
    await this.close()
    const deleted = await this.call((redis) => deleteKeys(redis, this.objectKeys.pattern))
    await this.call(() => unregisterQueue(this.mp, this.name))
    return deleted
  }

  /**
   * The items leased now, newest first: each job's id, the host and pid of the
   * process holding it, and what is left of its lease. For tools: who holds
   * what, when join() waits.
   */
  async leases(options?: LeasesOptions): Promise<Lease[]> {
    const { limit = 1000 } = checkOptions(options, LEASES_OPTIONS, 'leases() options')
    this.checkOpen()
    return readLeases((exchange) => this.call(exchange), this.layout, limit)
  }

  /** Yields items until the queue is shut down (and drained); taskDone() stays the caller's. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return itemsUntilShutdown(() => this.get())
  }

  private async putTexts(
    texts: string[],
    block: boolean,
    deadline: number | undefined,
    signal: AbortSignal | undefined,
    timeoutMs?: number,
  ): Promise<void> {
    let done = await this.putFrom(texts, 0)
    if (done === texts.length) return
    if (!block) throw new Full(`${this.describe()} is full`)
    this.engage()
    const room = new Wakeup()
    // Listen first, then try again: room made in between is still heard.
    const stop = await signalHub(this.mp).listen(this.channel, (message) => {
      if (message === null || message === 'room' || message === 'shutdown') room.notify()
    })
    try {
      for (;;) {
        done = await this.putFrom(texts, done)
        if (done === texts.length) return
        if (!(await room.waitOrRecheck(deadline, signal, this.closed.signal))) {
          const progress = texts.length > 1 ? ` (${done} of ${texts.length} items were put)` : ''
          throw this.ranOut(
            timeoutMs,
            new Full(`${this.describe()} stayed full for the whole timeout${progress}`),
          )
        }
      }
    } finally {
      await stop()
    }
  }

  /** Puts from `texts[from]` on until the queue is full; returns where it stopped. */
  private async putFrom(texts: string[], from: number): Promise<number> {
    let done = from
    while (done < texts.length) {
      const chunk = texts.slice(done, done + PUT_CHUNK)
      const { maxsize, keepEvents } = this.options
      const put = await this.scripts.put(chunk, maxsize, keepEvents).catch((error) => {
        throw isRedprocError(error, 'SHUTDOWN') ? new ShutDown(error.message) : error
      })
      done += put
      if (put < chunk.length) break
    }
    return done
  }

  private async take(count: number): Promise<TakeResult> {
    const result = await this.scripts.take(
      count,
      `${this.handle}:${++this.takes}`,
      this.options.lease,
      this.options.keepEvents,
    )
    this.keeper.add(result.items)
    if (result.items.length > 0) this.keeper.start()
    return result
  }

  private async awaitItems(timeoutMs: number | undefined): Promise<boolean> {
    this.checkOpen()
    this.keeper.start()
    const client = await this.blockingClient()
    const reply = await this.call(() =>
      client.bzpopmin(this.layout.keys.marker, blockingSeconds(timeoutMs)),
    )
    return reply !== null
  }

  private async writeAcks(items: Taken[]): Promise<void> {
    await this.scripts.ack(items, this.options.keepCompleted)
    this.keeper.remove(items)
  }

  private async release(items: Taken[]): Promise<void> {
    await this.scripts.release(items)
    this.keeper.remove(items)
  }

  /**
   * join()'s TIMEOUT message: the queue and namespace, what the unfinished
   * items are doing and who holds them, and the live serving processes.
   */
  private async joinTimedOut(): Promise<string> {
    const what = `${this.describe()} in namespace '${this.mp.options.namespace}': join() timed out`
    try {
      const unfinished = await this.unfinishedInRedis()
      const [items, workers] = await Promise.all([
        describeUnfinished((exchange) => this.call(exchange), this.layout, unfinished),
        listWorkers(this.mp, this.name),
      ])
      const live = `${workers.length} live worker${workers.length === 1 ? '' : 's'}`
      return `${what} with ${items}; ${live} serve the queue`
    } catch {
      return `${what} with items unfinished`
    }
  }

  private async unfinishedInRedis(): Promise<number> {
    const count = await this.call((redis) => redis.hget(this.key, 'unfinished'))
    return Number(count ?? 0)
  }

  /**
   * A client of this handle's own for the blocking wait, opened on first need
   * and closed by close(), which must disconnect it: a QUIT would wait behind
   * the blocked command.
   */
  private blockingClient(): Promise<RedisClient> {
    if (!this.blocking) {
      const { redis, logger, connectTimeoutMs } = this.mp.options
      const opening = openClient(redis, logger, connectTimeoutMs)
      this.blocking = opening
      opening.catch(() => {
        if (this.blocking === opening) this.blocking = undefined
      })
    }
    return this.blocking
  }

  /** A handle that consumes or waits holds resources: close it with its context. */
  private engage(): void {
    if (this.engaged) return
    this.engaged = true
    this.mp.onClose(() => this.close())
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new ValueError(`${this.describe()} is closed`)
  }

  private logBackgroundError(error: unknown, message: string): void {
    this.mp.options.logger.warn({ err: error, queue: this.name }, `joinable queue: ${message}`)
  }

  private async closeOnce(): Promise<void> {
    this.state = 'closing'
    const closedWhileWaiting = new ValueError(`${this.describe()} was closed while waiting`)
    this.closed.abort(closedWhileWaiting)
    const failures: unknown[] = []
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step()
      } catch (error) {
        failures.push(error)
      }
    }
    let buffered: Taken[] = []
    await attempt(async () => {
      buffered = await this.fetcher.close(closedWhileWaiting, async () => {
        const client = await this.blocking?.catch(() => undefined)
        client?.disconnect()
      })
    })
    this.acks.stop()
    await attempt(() => this.acks.settle())
    this.acks.abandon(new ValueError(`${this.describe()} was closed before the ack was written`))
    // Items got and not acknowledged, then the ones fetched ahead: oldest first.
    const unfinished = [...this.held.splice(0), ...buffered]
    if (unfinished.length > 0) await attempt(() => this.release(unfinished))
    await attempt(() => this.keeper.close())
    this.state = 'closed'
    if (failures.length === 1) throw failures[0]
    if (failures.length > 1) throw new AggregateError(failures, `${this.describe()}: close failed`)
  }

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
    this.checkOpen()
    return withinDeadline(timeoutMs, () => this.readJob(id, timeoutMs, signal))
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
    const deadline = deadlineOf(timeoutMs)
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

  /** get(), telling the job's id as well: how a consumer that reports outcomes (finishJob) takes. */
  async nextJob(options?: BlockingOptions): Promise<{ id: string; data: T }> {
    const { block, timeoutMs, signal } = checkBlockingOptions(options, 'get')
    this.checkOpen()
    this.engage()
    const item = await withinDeadline(block ? timeoutMs : 0, () =>
      block ? this.fetcher.get(timeoutMs, signal) : this.fetcher.getNowait(),
    )
    return { id: item.id, data: decode(item.data, this.describe()) as T }
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
      this.objectKeys.part('finished'),
      this.mp,
    )
    return this.jobs
  }
}
