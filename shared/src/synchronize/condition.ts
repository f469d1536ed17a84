import { randomUUID } from 'node:crypto'
import { checkFunction } from '../arguments.js'
import { RedprocError, RedprocTypeError } from '../errors.js'
import { blockingClients } from '../redis/blocking-clients.js'
import { withinDeadline } from '../redis/call-deadline.js'
import { KEY_PARTS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { abortedError, checkWaitOptions, Deadline, isAbortOf, type WaitOptions } from '../waits.js'
import { LeasedLock } from './leased-lock.js'
import type { Lock } from './lock.js'
import { RLock } from './rlock.js'
import type { AcquireOptions } from './waiting.js'
import { checkCount, LISTEN_GRACE_MS, MAX_BLOCK_MS, WaitQueue } from './waiting.js'

const conditionWait = new Script<[1, ''] | [0, string]>('condition-wait')
const conditionNotify = new Script<number>('condition-notify')

/**
 * `multiprocessing.Condition`: waiters give up its lock while they wait for a
 * `notify` from a process that holds it. Without a lock of its own it uses an
 * rlock kept beside it in Redis, shared by every handle of the condition.
 *
 * ```ts
 * const ready = mp.condition('ready')
 * await ready.withLock(() => ready.waitFor(async () => (await queue.qsize()) > 0))
 * ```
 */
export class Condition extends SharedObject implements AsyncDisposable {
  /** The lock waiters give up while they wait. */
  readonly lock: Lock | RLock
  private readonly queue: WaitQueue

  constructor(mp: Scope, name: string, lock?: Lock | RLock) {
    super(mp, 'condition', name)
    if (lock !== undefined && !(lock instanceof LeasedLock)) {
      throw new RedprocTypeError(`the lock of ${this.describe()} must be a Lock or RLock handle`)
    }
    this.lock =
      lock ?? new RLock(mp, name, {}, { kind: 'condition', stem: KEY_PARTS.lock.embedded })
    this.queue = new WaitQueue(this.objectKeys)
  }

  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.lock.acquire(options)
  }

  release(): Promise<void> {
    return this.lock.release()
  }

  /** Python's `with cond:` — holds the lock while `fn` runs. */
  withLock<T>(fn: () => T | Promise<T>, options?: WaitOptions): Promise<T> {
    return this.lock.withLock(fn, options)
  }

  /** Acquires the lock and returns a guard that releases it: `await using _ = await cond.hold()`. */
  hold(options?: WaitOptions): Promise<AsyncDisposable> {
    return this.lock.hold(options)
  }

  /** Releases the lock if this handle holds it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.lock[Symbol.asyncDispose]()
  }

  /**
   * Gives up the lock, waits for a notify (or `timeout`), and takes the lock
   * back (every level of an rlock) before returning: false when the timeout
   * ran out. `NOT_OWNER` when this handle does not hold the lock. `ABORTED`
   * when `signal` aborts first, once the lock is taken back (as a timeout
   * does); a notify that reached this wait meanwhile goes to another waiter.
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeoutMs, signal } = checkWaitOptions(options, 'wait')
    this.mustHoldLock('wait')
    return withinDeadline(timeoutMs, () => this.waitBy(new Deadline(timeoutMs), signal))
  }

  private async waitBy(deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
    const waiterId = randomUUID()
    const wakeKey = this.queue.wakeKey(waiterId)
    // Listed before the lock is given up: a notifier needs the lock, so it sees this waiter.
    let block = deadline.nextBlock(MAX_BLOCK_MS)
    let [, arrival] = await this.list(waiterId, '', block)
    let levels: number
    try {
      levels = await this.lock.releaseAll()
    } catch (error) {
      await this.leave(waiterId)
      throw error
    }
    let notified = false
    try {
      for (;;) {
        const woken = await this.call(() =>
          blockingClients(this.mp).popWake(wakeKey, block, signal, 'wait'),
        ).catch((error: unknown) => {
          if (isAbortOf(error, signal)) return null
          throw error
        })
        if (woken !== null) {
          notified = true
          break
        }
        if (deadline.expired || signal?.aborted) {
          // A notify that raced the timeout counts: otherwise it would be lost to everyone.
          notified = await this.leave(waiterId)
          break
        }
        block = deadline.nextBlock(MAX_BLOCK_MS)
        const listed = await this.list(waiterId, arrival, block)
        if (listed[0] === 1) {
          notified = true
          break
        }
        arrival = listed[1]
      }
    } finally {
      await this.lock.acquireRestore(levels)
    }
    if (signal?.aborted) {
      // The lock is held again, as Python's wait leaves it; a notify this wait took is passed on.
      if (notified) await this.wake(1)
      throw abortedError(signal, 'wait')
    }
    return notified
  }

  /**
   * Python's `wait_for`: waits until `predicate` returns something truthy,
   * checking it first and after each wake-up; returns its last result
   * (falsy when `timeout` ran out).
   */
  async waitFor<T>(predicate: () => T | Promise<T>, options?: WaitOptions): Promise<T> {
    checkFunction(predicate, 'waitFor(predicate)')
    const { timeoutMs, signal } = checkWaitOptions(options, 'waitFor')
    return withinDeadline(timeoutMs, () =>
      this.waitForBy(predicate, new Deadline(timeoutMs), signal),
    )
  }

  private async waitForBy<T>(
    predicate: () => T | Promise<T>,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    let result = await predicate()
    let first = true
    while (!result) {
      const remaining = deadline.remaining()
      if (!first && remaining === 0) break
      first = false
      await this.wait({ timeout: remaining, signal })
      result = await predicate()
    }
    return result
  }

  /** Wakes at most `n` waiters, oldest first; returns how many it woke. Needs the lock. */
  async notify(n = 1): Promise<number> {
    checkCount(n, 'n', 0)
    this.mustHoldLock('notify')
    if (n === 0) return 0
    return this.wake(n)
  }

  /** Wakes every waiter; returns how many it woke. Needs the lock. */
  async notifyAll(): Promise<number> {
    this.mustHoldLock('notifyAll')
    return this.wake(-1)
  }

  private wake(limit: number): Promise<number> {
    return this.call((redis) =>
      conditionNotify.run(
        redis,
        [this.queue.waiters, this.queue.deadlines],
        [limit, this.queue.wakePrefix],
      ),
    )
  }

  private list(waiterId: string, arrival: string, block: number) {
    return this.call((redis) =>
      conditionWait.run(
        redis,
        [this.queue.waiters, this.queue.deadlines, this.queue.wakeKey(waiterId)],
        [waiterId, arrival, block, LISTEN_GRACE_MS],
      ),
    )
  }

  /**
   * Takes the waiter off the list; true when a notify had reached it first
   * (on its wake-up list, or in the receipt of a wait cut by an abort).
   */
  private async leave(waiterId: string): Promise<boolean> {
    const wakeKey = this.queue.wakeKey(waiterId)
    const receipt = this.queue.receiptKey(waiterId)
    const replies = await this.call((redis) =>
      redis
        .multi()
        .zrem(this.queue.waiters, waiterId)
        .hdel(this.queue.deadlines, waiterId)
        .lpop(wakeKey)
        .lpop(receipt)
        .del(wakeKey, receipt)
        .exec(),
    )
    return replies?.[2]?.[1] != null || replies?.[3]?.[1] != null
  }

  private mustHoldLock(method: string): void {
    if (this.lock.heldLevels() === 0) {
      throw new RedprocError(
        'NOT_OWNER',
        `${this.describe()}: ${method}() called without holding the condition's lock`,
      )
    }
  }
}
