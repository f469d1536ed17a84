import type { Taken } from './lease-keeper.js'

/** Acks written per script call. */
const ACK_CHUNK = 1000

/** How long after a failed background write the next attempt starts. */
const RETRY_MS = 1000

/**
 * Gathers the acks of one handle and writes them together: every taskDone()
 * made while a write is on its way goes in the next one. A write that fails
 * keeps its acks for the next attempt; meanwhile the items' leases are still
 * renewed, and if they lapse the items come back (at-least-once), which a
 * late ack then cannot count twice.
 */
export class AckBatcher {
  private pending: Taken[] = []
  private writing: Promise<void> | undefined
  private scheduled = false
  private retry: NodeJS.Timeout | undefined

  constructor(
    private readonly write: (items: Taken[]) => Promise<void>,
    private readonly onBackgroundError: (error: unknown) => void,
  ) {}

  get size(): number {
    return this.pending.length
  }

  add(item: Taken): void {
    this.pending.push(item)
    this.schedule()
  }

  /** Writes whatever is pending now; resolves once it is in Redis. */
  flush(): Promise<void> {
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined
    })
    return this.writing
  }

  /** Writes until nothing is pending, including acks added meanwhile. */
  async settle(): Promise<void> {
    while (this.pending.length > 0 || this.writing) await this.flush()
  }

  /** Stops retrying in the background; what is pending stays pending. */
  stop(): void {
    clearTimeout(this.retry)
    this.retry = undefined
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    // After the current burst of taskDone() calls, not after each one.
    setImmediate(() => {
      this.scheduled = false
      this.flush().catch((error) => {
        this.onBackgroundError(error)
        this.retry ??= setTimeout(() => {
          this.retry = undefined
          if (this.pending.length > 0) this.schedule()
        }, RETRY_MS).unref()
      })
    })
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const chunk = this.pending.splice(0, ACK_CHUNK)
      try {
        await this.write(chunk)
      } catch (error) {
        this.pending = [...chunk, ...this.pending]
        throw error
      }
    }
  }
}
