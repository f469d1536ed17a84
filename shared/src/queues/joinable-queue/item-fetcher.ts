import { Empty, ShutDown } from '../../errors.js'
import { outsideDeadlines, unreachableWithin } from '../../redis/call-deadline.js'
import { timerDelay } from '../../timers.js'
import type { ShutdownState, Taken, TakeResult } from './items.js'
import { PrefetchBuffer, type PrefetchSource } from './prefetch-buffer.js'

/** What the fetcher needs from its queue. */
export interface ItemSource extends PrefetchSource {
  /** Takes up to `count` items without blocking, under a lease. */
  take(count: number): Promise<TakeResult>
  /** Blocks in Redis until items may be there (true) or `timeoutMs` passed (false); undefined waits forever. */
  awaitItems(timeoutMs: number | undefined): Promise<boolean>
  /** Passes on a wake-up this handle received but has no getter for. */
  passWake(): Promise<void>
  /** Whether Redis is reachable now: a get that runs out while it is not fails with CONNECTION. */
  reachable(): boolean
}

/** The most items one take asks for, however many gets wait. */
const MAX_TAKE = 1000

interface Waiter {
  resolve(item: Taken): void
  reject(error: unknown): void
  /** Its timeout, for messages; undefined = never. */
  timeoutMs: number | undefined
  /** `performance.now()` time it gives up; undefined = never. */
  deadline: number | undefined
  /** The takes completed when it arrived: it fails on its deadline only after one more. */
  takesSeen: number
  timer: NodeJS.Timeout | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

type Phase = 'idle' | 'taking' | 'blocking'

/**
 * The get() side of one handle. Concurrent gets queue here and one loop
 * serves them: it takes as many items per round trip as gets wait (and, while
 * the handle's gets come fast, more, up to `prefetch`), and when the queue is
 * empty it blocks in Redis on BullMQ's marker until a put (or a shutdown)
 * wakes it. Items fetched ahead stay leased to this handle; they go back to
 * the queue when no get() comes for a while, so a consumer that stops asking
 * (after a poison pill, say) does not sit on items others could take.
 *
 * A get served from the items fetched ahead resolves without I/O, so a caller
 * that computes between gets may never let the event loop turn. Such a get
 * first sends the acks and renewals that are due and lets the loop turn once,
 * and the handle keeps ahead only as many items as the caller's pace
 * finishes in 50 ms: the plain `get → compute → taskDone` loop is safe for
 * CPU-bound work, and only one item's work must fit in the lease.
 */
export class ItemFetcher {
  /** The queue's shutdown state as last seen in Redis. */
  shutdown: ShutdownState = ''
  private readonly waiters: Waiter[] = []
  private readonly ahead: PrefetchBuffer
  private loop: Promise<void> | undefined
  private scheduled = false
  private phase: Phase = 'idle'
  private takesDone = 0
  private closedError: Error | undefined

  constructor(
    private readonly source: ItemSource,
    prefetch: number,
    private readonly describe: string,
  ) {
    this.ahead = new PrefetchBuffer(source, prefetch, () => this.waiters.length > 0)
  }

  get hasWaiters(): boolean {
    return this.waiters.length > 0
  }

  /** Items this handle holds for gets to come. */
  get buffered(): number {
    return this.ahead.length
  }

  get(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<Taken> {
    if (this.closedError) return Promise.reject(this.closedError)
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.waiters.length === 0 && this.ahead.length > 0) {
      const turn = this.ahead.breatheBeforeHandOut()
      if (!turn) return Promise.resolve(this.ahead.handOut())
      const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
      return turn.then(() =>
        this.get(
          deadline === undefined ? undefined : Math.max(0, deadline - performance.now()),
          signal,
        ),
      )
    }
    if (this.shutdown === 'immediate') return Promise.reject(this.shutDownError())
    return new Promise<Taken>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timeoutMs,
        deadline: timeoutMs === undefined ? undefined : performance.now() + timeoutMs,
        takesSeen: this.takesDone,
        timer: undefined,
        signal,
        onAbort: undefined,
      }
      this.waiters.push(waiter)
      if (signal) {
        waiter.onAbort = () => this.drop(waiter, signal.reason)
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      if (waiter.deadline !== undefined) this.armTimer(waiter)
      this.scheduleLoop()
    })
  }

  /** One take without blocking; EMPTY (or SHUTDOWN) when it finds nothing. */
  async getNowait(): Promise<Taken> {
    if (this.closedError) throw this.closedError
    if (this.waiters.length === 0 && this.ahead.length > 0) {
      const turn = this.ahead.breatheBeforeHandOut()
      if (!turn) return this.ahead.handOut()
      await turn
      return this.getNowait()
    }
    if (this.shutdown === 'immediate') throw this.shutDownError()
    const result = await this.take(this.ahead.nextBatch())
    this.learn(result.shutdown)
    const [first, ...rest] = result.items
    if (this.closedError) {
      if (result.items.length > 0) await this.source.giveBack(result.items)
      throw this.closedError
    }
    if (!first) {
      throw result.shutdown === '' ? new Empty(`${this.describe} is empty`) : this.shutDownError()
    }
    this.source.handOut(first)
    if (rest.length > 0) this.fill(rest)
    return first
  }

  /**
   * If the event loop has not turned for a while: sends what is due and
   * resolves after one turn. Undefined (nothing to wait for) otherwise. For
   * callers that run long without a get (the items of a pool chunk).
   */
  breathe(): Promise<void> | undefined {
    return this.ahead.breathe()
  }

  /**
   * Notes the queue's shutdown state. After an immediate shutdown, items
   * fetched ahead go back too, where the shutdown drops them.
   */
  learn(shutdown: ShutdownState): void {
    if (this.shutdown === 'immediate' || shutdown === '') return
    this.shutdown = shutdown
    if (shutdown === 'immediate' && this.ahead.length > 0) this.ahead.giveBackAll()
  }

  /**
   * Fails every waiting get with `reason`, stops the loop (after `interrupt`
   * has unblocked its wait), and returns the items fetched ahead, for the
   * caller to give back.
   */
  async close(reason: Error, interrupt: () => Promise<void>): Promise<Taken[]> {
    if (!this.closedError) {
      this.closedError = reason
      this.ahead.stopIdleTimer()
      this.failAll(reason)
    }
    await interrupt()
    await this.loop
    return this.ahead.drain()
  }

  private scheduleLoop(): void {
    if (this.loop || this.scheduled) return
    this.scheduled = true
    // After the current burst of get() calls, so that one take serves them
    // all; the loop serves every get, so no one caller's deadline bounds it.
    outsideDeadlines(() =>
      setImmediate(() => {
        this.scheduled = false
        if (this.loop || this.closedError || this.waiters.length === 0) return
        this.loop = this.run().finally(() => {
          this.loop = undefined
          if (this.waiters.length > 0 && !this.closedError) this.scheduleLoop()
        })
      }),
    )
  }

  private async run(): Promise<void> {
    try {
      while (this.waiters.length > 0 && !this.closedError) {
        this.phase = 'taking'
        const result = await this.take(
          Math.min(MAX_TAKE, Math.max(this.waiters.length, this.ahead.nextBatch())),
        )
        this.takesDone++
        this.phase = 'idle'
        this.learn(result.shutdown)
        if (result.items.length > 0) {
          this.fill(result.items)
          continue
        }
        if (result.shutdown !== '') {
          this.failAll(this.shutDownError())
          break
        }
        this.expireWaiters()
        if (this.waiters.length === 0) break
        this.phase = 'blocking'
        const woken = await this.source.awaitItems(this.blockMs())
        this.phase = 'idle'
        // A wake-up consumed with nobody left to serve belongs to another consumer.
        if (woken && this.waiters.length === 0) await this.source.passWake()
      }
    } catch (error) {
      this.phase = 'idle'
      if (!this.closedError) this.failAll(error)
    }
  }

  /** Takes once the items given back are in the queue again, ahead of the rest. */
  private async take(count: number): Promise<TakeResult> {
    while (this.ahead.givingBack) await this.ahead.givingBack
    return this.source.take(count)
  }

  /** How long the loop may block: until the last waiter's deadline, or forever. */
  private blockMs(): number | undefined {
    let latest = Number.NEGATIVE_INFINITY
    for (const waiter of this.waiters) {
      if (waiter.deadline === undefined) return undefined
      latest = Math.max(latest, waiter.deadline)
    }
    return Math.max(1, latest - performance.now())
  }

  private fill(items: Taken[]): void {
    this.ahead.add(items)
    while (this.waiters.length > 0 && this.ahead.length > 0) {
      const waiter = this.waiters.shift() as Waiter
      this.settle(waiter)
      waiter.resolve(this.ahead.handOut())
    }
    this.ahead.restartIdleTimer()
  }

  private armTimer(waiter: Waiter): void {
    const left = (waiter.deadline as number) - performance.now()
    if (left > 0) {
      // Timers may fire a little early; a get never fails before its deadline.
      waiter.timer = setTimeout(() => this.armTimer(waiter), timerDelay(left))
      return
    }
    waiter.timer = undefined
    // While Redis is unreachable nobody can tell whether the queue is empty.
    if (!this.source.reachable()) {
      this.drop(waiter, unreachableWithin(waiter.timeoutMs ?? 0))
      return
    }
    // Like Python's get(timeout=0), a get looks at the queue at least once
    // before it gives up: if no take ended since it came, the loop's next one
    // decides, or, while the loop blocks for other gets, a look of its own.
    if (this.takesDone > waiter.takesSeen) this.drop(waiter, this.emptyError())
    else if (this.phase === 'blocking') this.lastLook(waiter)
  }

  private lastLook(waiter: Waiter): void {
    this.source.take(1).then(
      (result) => {
        this.takesDone++
        this.learn(result.shutdown)
        if (result.items.length > 0) this.fill(result.items)
        if (result.items.length === 0 && result.shutdown !== '')
          this.drop(waiter, this.shutDownError())
        else this.drop(waiter, this.emptyError())
      },
      (error) => this.drop(waiter, error),
    )
  }

  private expireWaiters(): void {
    const now = performance.now()
    for (const waiter of [...this.waiters]) {
      if (waiter.deadline !== undefined && waiter.deadline <= now) {
        this.drop(waiter, this.emptyError())
      }
    }
  }

  private drop(waiter: Waiter, error: unknown): void {
    const index = this.waiters.indexOf(waiter)
    if (index < 0) return
    this.waiters.splice(index, 1)
    this.settle(waiter)
    waiter.reject(error)
  }

  private failAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      this.settle(waiter)
      waiter.reject(error)
    }
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer)
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort)
  }

  private emptyError(): Empty {
    return new Empty(`${this.describe} stayed empty for the whole timeout`)
  }

  private shutDownError(): ShutDown {
    return new ShutDown(
      this.shutdown === 'immediate'
        ? `${this.describe} was shut down`
        : `${this.describe} was shut down and is drained`,
    )
  }
}
