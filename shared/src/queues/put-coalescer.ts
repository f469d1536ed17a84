import { PerContext } from '../redis/per-context.js'
import type { Scope } from '../redis/scope.js'

interface Pending {
  readonly text: string
  resolve(wentIn: boolean): void
  reject(error: unknown): void
}

/** One per context and queue: the single-item puts of a process share it. */
const registry = new PerContext<PutCoalescer>('putCoalescers')

/**
 * Single-item puts to one queue from one process, sent together.
 *
 * A put made while none is on its way is sent at once, so a lone put costs
 * what it did before. Puts made while one is on its way wait for it and then
 * go together in one call, so under load one round trip carries many items
 * instead of one each, and Redis runs one command instead of many. Writes to
 * the socket are what a busy process spends most on.
 *
 * Redis runs the commands of a connection in the order they were written; a
 * put waiting here has not been written yet. So every other command on the
 * queue calls `sendPending` first, and a put never falls behind a command
 * that was issued after it (a shutdown, a getNowait, a qsize …).
 */
export class PutCoalescer {
  /**
   * Set once a call could not take all its items: the queue has a recorded
   * bound, so puts take the path that can wait for room.
   */
  bounded = false
  private readonly send: (texts: string[]) => Promise<number>
  private readonly maxBatch: number
  private pending: Pending[] = []
  private inFlight = 0
  /** Holding puts until the event loop's next turn (see `sendBatch`). */
  private settling = false

  private constructor(send: (texts: string[]) => Promise<number>, maxBatch: number) {
    this.send = send
    this.maxBatch = maxBatch
  }

  /**
   * The coalescer of `key` in this context, made on first use. `send` appends
   * the texts in order to an unbounded queue, or as many as a bounded one has
   * room for, and returns how many went in.
   */
  static of(
    mp: Scope,
    key: string,
    send: (texts: string[]) => Promise<number>,
    maxBatch: number,
  ): PutCoalescer {
    return registry.getOrMake(mp, key, () => {
      const made = new PutCoalescer(send, maxBatch)
      // Puts waiting here were issued before the close: they go out before the client quits.
      mp.onClose(() => made.sendPending())
      return made
    })
  }

  /** Writes the waiting puts to `key` of this context, if there is a coalescer for it. */
  static sendPending(mp: Scope, key: string): void {
    registry.get(mp, key)?.sendPending()
  }

  /**
   * Appends `text` (with the puts of the same moment); resolves true once it
   * is in, false when a bounded queue had no room for it. Writes to Redis in
   * this call when no put is on its way.
   */
  add(text: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ text, resolve, reject })
      if (this.inFlight === 0 && !this.settling) this.sendPending()
    })
  }

  /** Writes the waiting puts now, ahead of whatever the caller sends next. */
  sendPending(): void {
    while (this.pending.length > 0) void this.sendBatch(this.pending.splice(0, this.maxBatch))
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    this.inFlight++
    try {
      const count = await this.send(batch.map((put) => put.text))
      if (count < batch.length) this.bounded = true
      for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(i < count)
    } catch (error) {
      for (const put of batch) put.reject(error)
    } finally {
      this.inFlight--
    }
    if (this.inFlight > 0) return
    if (batch.length === 1) {
      this.sendPending()
      return
    }
    // Several callers were served at once, and most put again at once (50
    // producers in a loop): hold until the event loop's next turn so they
    // all ride in the next call, rather than the first alone.
    this.settling = true
    setImmediate(() => {
      this.settling = false
      if (this.inFlight === 0) this.sendPending()
    })
  }
}
