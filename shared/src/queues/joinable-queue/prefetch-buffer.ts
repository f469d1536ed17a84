import type { Taken } from './items.js'

/** What the items fetched ahead need from their queue. */
export interface PrefetchSource {
  /** Gives back items taken ahead that no getter asked for. */
  giveBack(items: Taken[]): Promise<void>
  /** Called with each item as a getter receives it. */
  handOut(item: Taken): void
  /**
   * Sends what is due before the caller's next stretch of work (acks of the
   * items it finished, lease renewals): while that work runs, the event
   * loop may not turn, and nothing else would send them.
   */
  sendDue(): void
  /** Hears of a give-back that failed (the items' leases lapse, and they come back). */
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

/**
 * The items one handle fetched ahead of its gets, and the pacing that keeps
 * them few: takes grow while gets come fast, items go back when no get comes
 * for a while or when the caller's pace would not finish them soon, and a
 * caller that ran without a turn of the event loop sends what is due first.
 */
export class PrefetchBuffer {
  private readonly items: Taken[] = []
  private batch = 1
  private filledAt = Number.NEGATIVE_INFINITY
  private idleTimer: NodeJS.Timeout | undefined
  private givingBackNow: Promise<void> | undefined
  /** When the event loop last turned, as far as this buffer saw (`performance.now()`). */
  private turnedAt = performance.now()
  private watchingTurn = false
  /** When the last item was handed out: the caller's pace. */
  private handedOutAt = performance.now()

  constructor(
    private readonly source: PrefetchSource,
    private readonly prefetch: number,
    /** Whether gets wait: then items fetched ahead are not idle. */
    private readonly hasWaiters: () => boolean,
  ) {}

  get length(): number {
    return this.items.length
  }

  /** How many items the next take asks for: doubled while gets come fast, else 1. */
  nextBatch(): number {
    const sinceFill = performance.now() - this.filledAt
    this.batch = sinceFill < GROW_WINDOW_MS ? Math.min(this.batch * 2, this.prefetch) : 1
    return this.batch
  }

  /** Items on their way back to the queue: a take waits for them, so they come first (FIFO). */
  get givingBack(): Promise<void> | undefined {
    return this.givingBackNow
  }

  /** Adds the items of a take; the caller serves its waiting gets, then calls `restartIdleTimer()`. */
  add(items: Taken[]): void {
    this.filledAt = performance.now()
    this.turnedAt = this.filledAt // a take's reply is read on a turn of the loop
    this.items.push(...items)
  }

  /** The oldest item, handed to the caller; the buffer must not be empty. */
  handOut(): Taken {
    const item = this.items.shift() as Taken
    this.source.handOut(item)
    this.handedOutAt = performance.now()
    this.watchTurn()
    this.restartIdleTimer()
    return item
  }

  /**
   * If the event loop has not turned for a while: sends what is due and
   * resolves after one turn. Undefined (nothing to wait for) otherwise.
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
   * `breathe()`, for a get about to be served from the items fetched ahead;
   * items beyond what the caller's pace finishes in `GROW_WINDOW_MS` go back
   * to the queue, where idle consumers can take them.
   */
  breatheBeforeHandOut(): Promise<void> | undefined {
    const turn = this.breathe()
    if (!turn) return undefined
    const itemMs = Math.max(1, performance.now() - this.handedOutAt)
    const keep = 1 + Math.floor(GROW_WINDOW_MS / itemMs)
    if (this.items.length > keep) this.giveBackFrom(keep)
    return turn
  }

  /** Gives every item back to the queue. */
  giveBackAll(): void {
    this.stopIdleTimer()
    this.giveBackFrom(0)
  }

  /** Stops giving items back when idle; the items stay. */
  stopIdleTimer(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }

  /** Empties the buffer and returns its items, for the caller to give back. */
  drain(): Taken[] {
    this.stopIdleTimer()
    return this.items.splice(0)
  }

  /** Starts over the wait after which idle items go back; none while the buffer is empty. */
  restartIdleTimer(): void {
    if (this.items.length === 0) {
      this.stopIdleTimer()
    } else if (this.idleTimer) {
      this.idleTimer.refresh()
    } else {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined
        if (!this.hasWaiters()) this.giveBackAll()
      }, IDLE_GIVE_BACK_MS)
    }
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

  /** Gives back the items fetched ahead from `index` on. */
  private giveBackFrom(index: number): void {
    const items = this.items.splice(index)
    this.batch = 1
    if (items.length === 0) return
    const before = this.givingBackNow
    const given = Promise.all([
      before,
      this.source.giveBack(items).catch((error) => this.source.onBackgroundError(error)),
    ]).then(() => {
      if (this.givingBackNow === given) this.givingBackNow = undefined
    })
    this.givingBackNow = given
  }
}
