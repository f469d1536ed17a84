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
  LISTEN_GRACE_MS,
  MAX_BLOCK_MS,
  releaseOnDispose,
  WaitQueue,
} from './waiting.js'

const lockTake = new Script<number>('lock-take')
const lockAcquire = new Script<[1, string, number] | [0, number, string]>('lock-acquire')
const lockRelease = new Script<number>('lock-release')
const lockRenew = new Script<number>('lock-renew')

/** `{ lease }` (or `ttl`, its name in the design contract), in ms. */
export type LockOptions = LeaseOptions

/**
 * Where a lock's keys live: by default an object of its own; a value, an
 * array or a condition puts its lock inside itself (`stem`), so both share
 * one hash tag.
 * @internal
 */
export interface LockPlacement {
  kind: string
  stem?: string
}

interface Hold {
  token: string
  count: number
  lease: Lease
}

/**
 * What a lock and an rlock share: a hold in Redis under a lease its process
 * renews, a fencing token per hold, and waiters woken by the release itself.
 */
export abstract class LeasedLock extends SharedObject implements AsyncDisposable {
  /** The lease of a hold, in ms. */
  readonly lease: number
  /** This handle, as an owner: an rlock counts re-entry per handle. */
  private readonly ownerId = randomUUID()
  private readonly reentrant: boolean
  private readonly holdKey: string
  private readonly fenceKey: string
  private readonly queue: WaitQueue
  /** The keys of a first try, and of a release: built once, sent with every call. */
  private readonly takeKeys: string[]
  private readonly releaseKeys: string[]
  private readonly embedded: boolean
  private current: Hold | undefined

  protected constructor(
    mp: Scope,
    name: string,
    options: LockOptions | undefined,
    reentrant: boolean,
    placement: LockPlacement,
  ) {
    super(mp, placement.kind, name)
    this.lease = resolveLease(options, 'lock options')
    this.reentrant = reentrant
    this.embedded = placement.stem !== undefined
    const stem = placement.stem === undefined ? '' : `${placement.stem}:`
    this.holdKey = placement.stem === undefined ? this.key : this.objectKeys.part(placement.stem)
    this.fenceKey = this.objectKeys.part(`${stem}${KEY_PARTS.lock.fence}`)
    this.queue = new WaitQueue(this.objectKeys, stem)
    this.takeKeys = [this.holdKey, this.fenceKey]
    this.releaseKeys = [this.holdKey, this.queue.waiters, this.queue.deadlines]
  }

  /**
   * Takes the lock: true once held, false when `blocking` is false and it is
   * taken, or when `timeout` ran out. Without a timeout it waits for as long
   * as it takes, woken by the release (or by the end of a dead holder's lease).
   * `ABORTED` when `signal` aborts first; a hold granted as it aborted is
   * released, and the wait leaves the queue.
   */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    const { blocking, timeoutMs, signal } = checkAcquireOptions(options)
    return this.take(1, blocking, timeoutMs, signal)
  }

  /** Gives back one level of this handle's hold; `NOT_OWNER` when it holds none. */
  async release(): Promise<void> {
    await this.give(false)
  }

  /** `lease`, by the design contract's name. */
  get ttl(): number {
    return this.lease
  }

  /** Whether anyone holds the lock now. */
  async locked(): Promise<boolean> {
    return (await this.call((redis) => redis.exists(this.holdKey))) === 1
  }

  /** Whether this handle holds the lock, as far as it knows (its lease was not found lost). */
  get held(): boolean {
    return this.current !== undefined && !this.current.lease.lost
  }

  /**
   * The fencing token of this handle's hold: it rises with every new hold of
   * the lock, so a store that remembers the highest token it saw can refuse a
   * write from a holder whose lease ran out.
   */
  get fencingToken(): number | undefined {
    return this.current ? Number(this.current.token.slice(this.ownerId.length + 1)) : undefined
  }

  /** Python's `with lock:` — holds the lock while `fn` runs; `TIMEOUT` when it was not had in time. */
  async withLock<T>(fn: () => T | Promise<T>, options?: WaitOptions): Promise<T> {
    checkFunction(fn, 'withLock(fn)')
    await using _ = await this.hold(options)
    return await fn()
  }

  /**
   * Acquires and returns a guard that releases on dispose:
   * `await using _ = await lock.hold()`. `TIMEOUT` when not had in time.
   */
  async hold(options?: WaitOptions): Promise<AsyncDisposable> {
    const { timeoutMs, signal } = checkWaitOptions(options, 'hold')
    if (!(await this.take(1, true, timeoutMs, signal))) {
      throw new Timeout(`${this.describe()} was not acquired within ${timeoutMs} ms`)
    }
    return releaseOnDispose(() => this.release())
  }

  /** Releases every level this handle holds, if any: `await using lock = mp.lock('x')`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.current) await this.give(true)
  }

  /** @internal how many levels this handle holds: what a condition wait gives back. */
  heldLevels(): number {
    return this.held ? (this.current?.count ?? 0) : 0
  }

  /** @internal releases every level (a condition wait); returns how many there were. */
  async releaseAll(): Promise<number> {
    return this.give(true)
  }

  /** @internal takes `levels` levels at once, waiting as long as it takes (after a condition wait). */
  async acquireRestore(levels: number): Promise<void> {
    await this.take(levels, true, undefined)
  }

  protected override describe(): string {
    return this.embedded ? `the lock of ${super.describe()}` : super.describe()
  }

  private take(
    levels: number,
    blocking: boolean,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return withinDeadline(blocking ? timeoutMs : 0, () =>
      this.takeBy(levels, blocking, new Deadline(timeoutMs), signal),
    )
  }

  private async takeBy(
    levels: number,
    blocking: boolean,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    let taken = await this.firstTry(levels)
    if (!taken && blocking && !deadline.expired && !signal?.aborted) {
      taken = await this.queueFor(levels, deadline, signal)
    }
    if (signal?.aborted) {
      // Granted as the signal aborted: given back, so an aborted call holds nothing.
      if (taken) await this.give(false)
      throw abortedError(signal, 'acquire')
    }
    return taken
  }

  /**
   * Waits in the queue until the lock is taken (true) or the deadline passes
   * (false). When `signal` aborts, one last try takes the waiter off the queue
   * (or takes the lock, which the caller gives back: a release that woke this
   * waiter then wakes the next).
   */
  private async queueFor(
    levels: number,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const waiterId = randomUUID()
    const wakeKey = this.queue.wakeKey(waiterId)
    const keys = [this.holdKey, this.fenceKey, this.queue.waiters, this.queue.deadlines, wakeKey]
    let arrival = ''
    try {
      for (;;) {
        const last = deadline.expired || signal?.aborted === true
        const block = last ? -1 : deadline.nextBlock(MAX_BLOCK_MS)
        const reply = await this.attempt(keys, levels, waiterId, block, arrival)
        if (reply === true) return true
        if (last) return false
        arrival = reply[1]
        // Woken by a release, or at the end of the holder's lease, or of this block: check again.
        await this.call(() => blockingClients(this.mp).awaitTurn(wakeKey, reply[0], signal))
      }
    } finally {
      // An aborted wait may leave a wake-up in its receipt; the last try dealt with it.
      if (signal?.aborted) await this.call((redis) => redis.del(this.queue.receiptKey(waiterId)))
    }
  }

  /**
   * Most acquires find the lock free. A handle that holds nothing tries in
   * one SET NX (lock-take); one that holds it (an rlock re-entering, a lock
   * waiting for itself) tries through lock-acquire, without being queued.
   * Neither touches the waiters.
   */
  private async firstTry(levels: number): Promise<boolean> {
    if (this.current !== undefined) {
      return (await this.attempt(this.takeKeys, levels, '', -1, '')) === true
    }
    const fence = await this.call((redis) =>
      lockTake.run(redis, this.takeKeys, [this.ownerId, this.lease, levels]),
    )
    if (fence === 0) return false
    this.taken(`${this.ownerId}:${fence}`, levels)
    return true
  }

  /** One try; if the lock is taken and `block` ≥ 0, lists the waiter: how long to block, its arrival. */
  private async attempt(
    keys: string[],
    levels: number,
    waiterId: string,
    block: number,
    arrival: string,
  ): Promise<true | [number, string]> {
    const reply = await this.call((redis) =>
      lockAcquire.run(redis, keys, [
        this.ownerId,
        this.current?.token ?? '',
        this.reentrant ? 1 : 0,
        this.ttl,
        levels,
        waiterId,
        block,
        arrival,
        LISTEN_GRACE_MS,
      ]),
    )
    if (reply[0] === 0) return [reply[1], reply[2]]
    this.taken(reply[1], reply[2])
    return true
  }

  private taken(token: string, count: number): void {
    if (this.current?.token === token) {
      this.current.count = count
      return
    }
    this.current?.lease.end()
    const lease = startLease(this.mp, this.ttl, {
      renew: async () =>
        (await this.call((redis) => lockRenew.run(redis, [this.holdKey], [token, this.ttl]))) === 1,
      release: () => {
        if (this.current?.token === token) this.current = undefined
        return this.releaseToken(token, true).catch(() => undefined)
      },
    })
    this.current = { token, count, lease }
  }

  /** Releases one level, or all; returns the levels released. */
  private async give(all: boolean): Promise<number> {
    const hold = this.current
    if (!hold) {
      throw new RedprocError(
        'NOT_OWNER',
        `${this.describe()}: release() of a lock this handle does not hold`,
      )
    }
    // Forget the hold before the round trip, so an acquire that completes
    // meanwhile (another task sharing this handle) is not forgotten after it.
    if (all || hold.count <= 1) {
      this.current = undefined
      hold.lease.end()
    } else {
      hold.count -= 1
    }
    return this.releaseToken(hold.token, all)
  }

  private async releaseToken(token: string, all: boolean): Promise<number> {
    try {
      return await this.call((redis) =>
        lockRelease.run(redis, this.releaseKeys, [token, all ? 1 : 0, this.queue.wakePrefix]),
      )
    } catch (error) {
      if (isRedprocError(error, 'NOT_OWNER') && this.current?.token === token) {
        this.current.lease.end()
        this.current = undefined
      }
      throw error
    }
  }
}
