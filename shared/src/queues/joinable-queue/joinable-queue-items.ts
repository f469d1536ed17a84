import { checkIterable } from '../../arguments.js'
import { decode, encode, type Json } from '../../codec.js'
import { Full, isRedprocError, RedprocError, ShutDown, Timeout } from '../../errors.js'
import { checkOptions, option, type Schema } from '../../options.js'
import { isUnreachable, withinDeadline } from '../../redis/call-deadline.js'
import { deleteKeys } from '../../redis/delete-keys.js'
import { signalHub } from '../../redis/signal-hub.js'
import { Deadline, failAborted } from '../../waits.js'
import { checkDropOptions, type DropOptions, refuseWhileServed } from '../drop-guard.js'
import { itemsUntilShutdown } from '../items-until-shutdown.js'
import { unregisterQueue } from '../queue-registry.js'
import { listWorkers } from '../workers.js'
import { JoinableQueueHandle } from './joinable-queue-handle.js'
import {
  type BlockingOptions,
  checkBlockingOptions,
  checkShutdownOptions,
  checkWaitOptions,
  type ShutdownOptions,
  type WaitOptions,
} from './joinable-queue-options.js'
import { describeUnfinished, type Lease, readLeases } from './leases.js'
import { Wakeup } from './wakeup.js'

/** The options of `leases`. */
export interface LeasesOptions {
  /** The most leases to read, newest first. @default 1000 */
  limit?: number
}

const LEASES_OPTIONS: Schema<LeasesOptions> = { limit: option.integer(1) }

/** Items written per script call: big enough to batch, small enough not to stall Redis. */
const PUT_CHUNK = 1000

/**
 * `multiprocessing.JoinableQueue`'s API on a handle: put, get, taskDone(),
 * join(), shutdown(), and what tools read (leases) or do (delete).
 */
export abstract class JoinableQueueItems<T extends Json = Json>
  extends JoinableQueueHandle
  implements AsyncIterable<T>
{
  /**
   * Puts `item`, waiting while a bounded queue is full: FULL on timeout (or
   * at once with `block: false`), SHUTDOWN after shutdown().
   */
  async put(item: T, options?: BlockingOptions): Promise<void> {
    const text = encode(item, 'item')
    const { block, timeoutMs, deadline, signal } = checkBlockingOptions(options, 'put')
    this.checkOpen()
    await failAborted(signal, 'put', () =>
      withinDeadline(block ? timeoutMs : 0, () =>
        this.putTexts([text], block, deadline, signal, timeoutMs),
      ),
    )
  }

  /** Puts `item` now, or fails with FULL. */
  async putNowait(item: T): Promise<void> {
    const text = encode(item, 'item')
    this.checkOpen()
    await this.putTexts([text], false, new Deadline(0), undefined)
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
    await failAborted(signal, 'putMany', () =>
      withinDeadline(timeoutMs, () => this.putTexts(texts, true, deadline, signal, timeoutMs)),
    )
  }

  /**
   * Takes the next item, waiting for one: EMPTY on timeout (or at once with
   * `block: false`), SHUTDOWN once shut down and drained.
   */
  async get(options?: BlockingOptions): Promise<T> {
    return (await this.nextJob(options)).data
  }

  /** get(), telling the job's id as well: how a consumer that reports outcomes (finishJob) takes. */
  async nextJob(options?: BlockingOptions): Promise<{ id: string; data: T }> {
    const { block, timeoutMs, signal } = checkBlockingOptions(options, 'get')
    this.checkOpen()
    this.engage()
    const item = await failAborted(signal, 'get', () =>
      withinDeadline(block ? timeoutMs : 0, () =>
        block ? this.fetcher.get(timeoutMs, signal) : this.fetcher.getNowait(),
      ),
    )
    return { id: item.id, data: decode(item.data, this.describe()) as T }
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
    await failAborted(signal, 'join', () =>
      withinDeadline(timeoutMs, () => this.joinBy(deadline, signal, timeoutMs)),
    )
  }

  private async joinBy(
    deadline: Deadline,
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
    // Items a dead consumer held come back (or, after an immediate shutdown,
    // count as done) only through the check: a lone joiner runs it as well.
    this.joins++
    this.keeper.start()
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
      this.joins--
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
    deadline: Deadline,
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
}
