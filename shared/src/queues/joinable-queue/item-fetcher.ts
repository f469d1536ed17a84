import { Empty, ShutDown } from '../../errors.js'
import { outsideDeadlines, unreachableWithin } from '../../redis/call-deadline.js'
import { timerDelay } from '../../timers.js'
import type { ShutdownState, Taken, TakeResult } from './items.js'

/** What the fetcher needs from its queue. */
export interface ItemSource {
  /** Takes up to `count` items without blocking, under a lease. */
  take(count: number): Promise<TakeResult>
  /** Blocks in Redis until items may be there (true) or `timeoutMs` passed (false); undefined waits forever. */
  awaitItems(timeoutMs: number | undefined): Promise<boolean>
  /** Passes on a wake-up this handle received but has no getter for. */
  passWake(): Promise<void>
  /** Gives back items taken ahead that no getter asked for. */
  giveBack(items: Taken[]): Promise<void>
  /** Called with each item as a getter receives it. */
  handOut(item: Taken): void
  /** Whether Redis is reachable now: a get that runs out while it is not fails with CONNECTION. */
  reachable(): boolean
  /**
   * Sends what is due before the caller's next stretch of work (acks of the
   * items it finished, lease renewals): while that work runs, the event
   * loop may not turn, and nothing else would send them.
   */
  sendDue(): void
  onBackgroundError(error: unknown): void
}

/** A buffer emptied this soon after it was filled doubles the next take (up to `prefetch`). */
const GROW_WINDOW_MS = 50

/**
 * An item fetched ahead is handed out at once only if the event loop turned
 * this recently; otherwise the caller has been running without a turn (CPU
 * work), and acks and lease renewals go out, and the loop turns once, first.
 */
const BREATHE_AFTER_MS = 10

/** Items fetched ahead go back to the queue when no get() came for this long. */
const IDLE_GIVE_BACK_MS = 100

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
  private readonly buffer: Taken[] = []
  private readonly waiters: Waiter[] = []
  private loop: Promise<void> | undefined
  private scheduled = false
  private phase: Phase = 'idle'
  private takesDone = 0
  private batch = 1
  private filledAt = Number.NEGATIVE_INFINITY
  private idleTimer: NodeJS.Timeout | undefined
  private closedError: Error | undefined
  /** Items on their way back to the queue: a take waits for them, so they come first (FIFO). */
  private givingBack: Promise<void> | undefined
  /** When the event loop last turned, as far as this fetcher saw (`performance.now()`). */
  private turnedAt = performance.now()
  private watchingTurn = false
  /** When the last item was handed out: the caller's pace. */
  private handedOutAt = performance.now()

  constructor(
    private readonly source: ItemSource,
    private readonly prefetch: number,
    private readonly describe: string,
  ) {}

  get hasWaiters(): boolean {
    return this.waiters.length > 0
  }

  /** Items this handle holds for gets to come. */
  get buffered(): number {
    return this.buffer.length
  }

  get(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<Taken> {
    if (this.closedError) return Promise.reject(this.closedError)
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.waiters.length === 0 && this.buffer.length > 0) {
      const turn = this.breatheBeforeHandOut()
      if (!turn) return Promise.resolve(this.handOutNext())
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
    if (this.waiters.length === 0 && this.buffer.length > 0) {
      const turn = this.breatheBeforeHandOut()
      if (!turn) return this.handOutNext()
      await turn
      return this.getNowait()
    }
    if (this.shutdown === 'immediate') throw this.shutDownError()
    const result = await this.take(this.nextBatch())
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
    if (performance.now() - this.turnedAt < BREATHE_AFTER_MS) return undefined
    this.source.sendDue()
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.turnedAt = performance.now()
        resolve()
      }),
    )
  }

  /**
   * Notes the queue's shutdown state. After an immediate shutdown, items
   * fetched ahead go back too, where the shutdown drops them.
   */
  learn(shutdown: ShutdownState): void {
    if (this.shutdown === 'immediate' || shutdown === '') return
    this.shutdown = shutdown
    if (shutdown === 'immediate' && this.buffer.length > 0) this.giveBackBuffer()
  }

  /**
   * Fails every waiting get with `reason`, stops the loop (after `interrupt`
   * has unblocked its wait), and returns the items fetched ahead, for the
   * caller to give back.
   */
  async close(reason: Error, interrupt: () => Promise<void>): Promise<Taken[]> {
    if (!this.closedError) {
      this.closedError = reason
      clearTimeout(this.idleTimer)
      this.idleTimer = undefined
      this.failAll(reason)
    }
    await interrupt()
    await this.loop
    return this.buffer.splice(0)
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
          Math.min(MAX_TAKE, Math.max(this.waiters.length, this.nextBatch())),
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
    while (this.givingBack) await this.givingBack
    return this.source.take(count)
  }

  private nextBatch(): number {
    const sinceFill = performance.now() - this.filledAt
    this.batch = sinceFill < GROW_WINDOW_MS ? Math.min(this.batch * 2, this.prefetch) : 1
    return this.batch
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
    this.filledAt = performance.now()
    this.turnedAt = this.filledAt // a take's reply is read on a turn of the loop
    this.buffer.push(...items)
    while (this.waiters.length > 0 && this.buffer.length > 0) {
      const waiter = this.waiters.shift() as Waiter
      this.settle(waiter)
      waiter.resolve(this.handOutNext())
    }
    this.afterHandOut()
  }

  private handOutNext(): Taken {
    const item = this.buffer.shift() as Taken
    this.source.handOut(item)
    this.handedOutAt = performance.now()
    this.watchTurn()
    this.afterHandOut()
    return item
  }

  /** Notes when the event loop next turns. */
  private watchTurn(): void {
    if (this.watchingTurn) return
    this.watchingTurn = true
    setImmediate(() => {
      this.watchingTurn = false
      this.turnedAt = performance.now()
    })
  }

  /**
   * `breathe()`, for a get about to be served from the items fetched ahead;
   * items beyond what the caller's pace finishes in `GROW_WINDOW_MS` go back
   * to the queue, where idle consumers can take them.
   */
  private breatheBeforeHandOut(): Promise<void> | undefined {
    const turn = this.breathe()
    if (!turn) return undefined
    const itemMs = Math.max(1, performance.now() - this.handedOutAt)
    const keep = 1 + Math.floor(GROW_WINDOW_MS / itemMs)
    if (this.buffer.length > keep) this.giveBackFrom(keep)
    return turn
  }

  private afterHandOut(): void {
    if (this.buffer.length === 0) {
      clearTimeout(this.idleTimer)
      this.idleTimer = undefined
    } else if (this.idleTimer) {
      this.idleTimer.refresh()
    } else {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined
        if (this.waiters.length === 0) this.giveBackBuffer()
      }, IDLE_GIVE_BACK_MS)
    }
  }

  private giveBackBuffer(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.giveBackFrom(0)
  }

  /** Gives back the items fetched ahead from `index` on. */
  private giveBackFrom(index: number): void {
    const items = this.buffer.splice(index)
    this.batch = 1
    if (items.length === 0) return
    const before = this.givingBack
    const given = Promise.all([
      before,
      this.source.giveBack(items).catch((error) => this.source.onBackgroundError(error)),
    ]).then(() => {
      if (this.givingBack === given) this.givingBack = undefined
    })
    this.givingBack = given
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
