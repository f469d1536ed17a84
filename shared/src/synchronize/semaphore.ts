import { randomUUID } from 'node:crypto'
import { checkFunction } from '../arguments.js'
import { isRedprocError, RedprocError, Timeout } from '../errors.js'
import { blockingClients } from '../redis/blocking-clients.js'
import { withinDeadline } from '../redis/call-deadline.js'
import { KEY_PARTS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { abortedError, checkWaitOptions, Deadline, type WaitOptions } from '../waits.js'
import { type Lease, type LeaseOptions, resolveLease, startLease } from './lease.js'
import {
  type AcquireOptions,
  checkAcquireOptions,
  checkCount,
  LISTEN_GRACE_MS,
  MAX_BLOCK_MS,
  releaseOnDispose,
  WaitQueue,
} from './waiting.js'

const semaphoreAcquire = new Script<[1, number] | [0, number, string]>('semaphore-acquire')
const semaphoreRelease = new Script<[0 | 1, number]>('semaphore-release')
const semaphoreRenew = new Script<number>('semaphore-renew')
const semaphoreValue = new Script<number>('semaphore-value')

/** `{ lease }` of each permit (or `ttl`, as a lock's), in ms. */
export type SemaphoreOptions = LeaseOptions

interface Permit {
  token: string
  lease: Lease
}

/**
 * `multiprocessing.Semaphore`: a counter that `acquire` takes from (waiting
 * at zero) and `release` adds to. Every permit taken is a lease its process
 * renews: a holder that dies gives its permits back when their leases end.
 * The first handle to touch a semaphore in Redis sets its initial value.
 *
 * As in Python, anyone may release: a handle that holds no permit raises the
 * value (a bounded semaphore refuses to rise above its initial value).
 */
export class Semaphore extends SharedObject implements AsyncDisposable {
  /** The lease of each permit, in ms. */
  readonly lease: number
  protected readonly bounded: boolean = false
  private readonly initial: number
  private readonly queue: WaitQueue
  private readonly holders: string
  /** The permits this handle holds, latest last. */
  private readonly permits: Permit[] = []

  constructor(mp: Scope, name: string, value = 1, options?: SemaphoreOptions, kind = 'semaphore') {
    super(mp, kind, name)
    this.initial = checkCount(value, 'semaphore initial value', 0)
    this.lease = resolveLease(options, 'semaphore options')
    this.queue = new WaitQueue(this.objectKeys)
    this.holders = this.objectKeys.part(KEY_PARTS.semaphore.holders)
  }

  /**
   * Takes a permit: true once taken; false when `blocking` is false and none
   * is free, or when `timeout` ran out. Woken by a release, or by the end of
   * a dead holder's lease. `ABORTED` when `signal` aborts first; a permit
   * granted as it aborted is given back, and the wait leaves the queue.
   */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const { blocking, timeoutMs, signal } = checkAcquireOptions(options)
    return this.take(blocking, timeoutMs, signal)
  }

  /** `lease`, by the name a lock's has in the design contract. */
  get ttl(): number {
    return this.lease
  }

  private async take(
    blocking: boolean,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const permit = await withinDeadline(blocking ? timeoutMs : 0, () =>
      this.takeBy(blocking, new Deadline(timeoutMs), signal),
    )
    if (signal?.aborted) {
      // Granted as the signal aborted: given back, so an aborted call holds nothing.
      if (permit) await this.giveBack(permit)
      throw abortedError(signal, 'acquire')
    }
    return permit !== undefined
  }

  /**
   * Takes a permit, waiting in the queue up to the deadline (undefined when
   * none came). When `signal` aborts, one last try takes the waiter off the
   * queue (or takes a permit, which the caller gives back).
   */
  private async takeBy(
    blocking: boolean,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<Permit | undefined> {
    const waiterId = randomUUID()
    const wakeKey = this.queue.wakeKey(waiterId)
    const token = randomUUID()
    let arrival = ''
    try {
      for (;;) {
        const last = !blocking || deadline.expired || signal?.aborted === true
        const reply = await this.call((redis) =>
          semaphoreAcquire.run(
            redis,
            [this.key, this.holders, this.queue.waiters, this.queue.deadlines, wakeKey],
            [
              this.initial,
              token,
              this.lease,
              waiterId,
              last ? -1 : deadline.nextBlock(MAX_BLOCK_MS),
              arrival,
              LISTEN_GRACE_MS,
            ],
          ),
        )
        if (reply[0] === 1) return this.taken(token)
        if (last) return undefined
        arrival = reply[2]
        await this.call(() => blockingClients(this.mp).awaitTurn(wakeKey, reply[1], signal))
      }
    } finally {
      // An aborted wait may leave a wake-up in its receipt; the last try dealt with it.
      if (signal?.aborted) await this.call((redis) => redis.del(this.queue.receiptKey(waiterId)))
    }
  }

  /**
   * Adds `n` to the value, waking as many waiters: this handle's own permits
   * first, latest first. `NOT_OWNER` when one of them had lost its lease;
   * `SEMAPHORE_OVERFLOW` when a bounded semaphore would rise above its
   * initial value.
   */
  async release(n = 1): Promise<void> {
    checkCount(n, 'n', 1)
    // Taken off the list before the round trip, so two releases never give back the same permit.
    const own = this.permits.splice(Math.max(0, this.permits.length - n))
    let status: number
    try {
      ;[status] = await this.call((redis) =>
        semaphoreRelease.run(
          redis,
          [this.key, this.holders, this.queue.waiters, this.queue.deadlines],
          [
            this.initial,
            this.bounded ? 1 : 0,
            this.queue.wakePrefix,
            n - own.length,
            ...own.map((permit) => permit.token),
          ],
        ),
      )
    } catch (error) {
      if (isRedprocError(error, 'SEMAPHORE_OVERFLOW')) {
        this.permits.push(...own) // refused: they are still held
      } else {
        for (const permit of own) permit.lease.end()
      }
      throw error
    }
    for (const permit of own) permit.lease.end()
    if (status === 0) {
      throw new RedprocError(
        'SEMAPHORE_OVERFLOW',
        `${this.describe()}: released too many times: others already gave back the permits this handle held`,
      )
    }
  }

  /** Python's `get_value()`: permits free now. */
  async value(): Promise<number> {
    return this.call((redis) => semaphoreValue.run(redis, [this.key, this.holders], [this.initial]))
  }

  /** How many permits this handle holds (as far as it knows). */
  get held(): number {
    return this.permits.filter((permit) => !permit.lease.lost).length
  }

  /** Python's `with sem:` — holds a permit while `fn` runs; `TIMEOUT` when none came in time. */
  async withPermit<T>(fn: () => T | Promise<T>, options?: WaitOptions): Promise<T> {
    checkFunction(fn, 'withPermit(fn)')
    await using _ = await this.hold(options)
    return await fn()
  }

  /** Acquires and returns a guard that releases on dispose: `await using _ = await sem.hold()`. */
  async hold(options?: WaitOptions): Promise<AsyncDisposable> {
    const { timeoutMs, signal } = checkWaitOptions(options, 'hold')
    if (!(await this.take(true, timeoutMs, signal))) {
      throw new Timeout(`no permit of ${this.describe()} came within ${timeoutMs} ms`)
    }
    return releaseOnDispose(() => this.release())
  }

  /** Releases every permit this handle holds. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.permits.length > 0) await this.release(this.permits.length)
  }

  private taken(token: string): Permit {
    const permit: Permit = {
      token,
      lease: startLease(this.mp, this.lease, {
        renew: async () =>
          (await this.call((redis) =>
            semaphoreRenew.run(redis, [this.holders], [token, this.lease]),
          )) === 1,
        release: () => this.giveBack(permit),
      }),
    }
    this.permits.push(permit)
    return permit
  }

  /** Gives back one permit of this handle, if it still holds it (a closing context, an aborted acquire). */
  private async giveBack(permit: Permit): Promise<void> {
    const index = this.permits.indexOf(permit)
    if (index < 0) return
    this.permits.splice(index, 1)
    permit.lease.end()
    try {
      await this.call((redis) =>
        semaphoreRelease.run(
          redis,
          [this.key, this.holders, this.queue.waiters, this.queue.deadlines],
          [this.initial, this.bounded ? 1 : 0, this.queue.wakePrefix, 0, permit.token],
        ),
      )
    } catch (error) {
      if (!isRedprocError(error)) throw error
    }
  }
}
