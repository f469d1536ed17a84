import type { Taken } from './items.js'

/** Acks written per script call. */
const ACK_CHUNK = 1000

/** How long after a failed background write the next attempt starts. */
const RETRY_MS = 1000

interface PendingAck {
  readonly item: Taken
  resolve(): void
  reject(error: unknown): void
}

/**
 * Gathers the acks of one handle and writes them together: the taskDone()
 * calls of one burst go in one write, which leaves at the end of the burst,
 * or at once when `send` is called (before a consumer starts a long stretch
 * of work). Writes do not wait for each other: an ack never waits behind a
 * reply the event loop has not had a turn to read. A write that fails keeps
 * its acks for the next attempt; meanwhile the items' leases are still
 * renewed, and if they lapse the items come back (at-least-once), which a
 * late ack then cannot count twice.
 */
export class AckBatcher {
  private pending: PendingAck[] = []
  private readonly writing = new Set<Promise<void>>()
  private scheduled = false
  private retry: NodeJS.Timeout | undefined

  constructor(
    private readonly write: (items: Taken[]) => Promise<void>,
    private readonly onBackgroundError: (error: unknown) => void,
  ) {}

  get size(): number {
    return this.pending.length
  }

  /** Queues the ack of `item`; resolves once it is in Redis. Safe to ignore. */
  add(item: Taken): Promise<void> {
    let entry: PendingAck | undefined
    const written = new Promise<void>((resolve, reject) => {
      entry = { item, resolve, reject }
    })
    written.catch(() => {}) // a caller that ignores it must not see an unhandled rejection
    this.pending.push(entry as PendingAck)
    this.schedule()
    return written
  }

  /** Starts writing whatever is pending, in the background; failures are retried. */
  send(): void {
    if (this.pending.length === 0) return
    this.flush().catch((error) => {
      this.onBackgroundError(error)
      this.retry ??= setTimeout(() => {
        this.retry = undefined
        if (this.pending.length > 0) this.schedule()
      }, RETRY_MS).unref()
    })
  }

  /** Writes whatever is pending now; resolves once it is in Redis. */
  async flush(): Promise<void> {
    const writes: Promise<void>[] = []
    while (this.pending.length > 0) writes.push(this.track(this.pending.splice(0, ACK_CHUNK)))
    await Promise.all(writes)
  }

  /** Writes until nothing is pending or on its way, including acks added meanwhile. */
  async settle(): Promise<void> {
    while (this.pending.length > 0 || this.writing.size > 0) {
      await Promise.all([this.flush(), ...this.writing])
    }
  }

  /** Stops retrying in the background; what is pending stays pending. */
  stop(): void {
    clearTimeout(this.retry)
    this.retry = undefined
  }

  /** Fails the acks still pending: they will never be written. */
  abandon(reason: unknown): void {
    for (const entry of this.pending.splice(0)) entry.reject(reason)
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    // After the current burst of taskDone() calls, not after each one.
    setImmediate(() => {
      this.scheduled = false
      this.send()
    })
  }

  private track(chunk: PendingAck[]): Promise<void> {
    const writing = this.write(chunk.map((entry) => entry.item)).then(
      () => {
        for (const entry of chunk) entry.resolve()
      },
      (error: unknown) => {
        this.pending = [...chunk, ...this.pending]
        throw error
      },
    )
    const done = writing.finally(() => this.writing.delete(done))
    done.catch(() => {}) // the caller of flush() sees the failure
    this.writing.add(done)
    return writing
  }
}
