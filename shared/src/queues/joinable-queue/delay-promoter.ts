import type { JoinableQueue } from './joinable-queue.js'

/** The longest a due delayed job waits to be promoted: how late a delay may end. */
export const PROMOTE_EVERY_MS = 1000

/**
 * Moves a queue's delayed jobs (their `delay`, or a retry's backoff) to the
 * queue once due: at the next due time when it is near, else every second,
 * which also finds jobs delayed since the last look. Every serving process
 * runs one; the script is atomic, so several racing is harmless.
 */
export class DelayPromoter {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly queue: JoinableQueue,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  private schedule(inMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.promote().finally(() => {
        this.running = undefined
      })
    }, inMs)
    this.timer.unref()
  }

  private async promote(): Promise<void> {
    let nextInMs = PROMOTE_EVERY_MS
    try {
      const nextDue = await this.queue.promoteDelayed()
      if (nextDue !== undefined) nextInMs = Math.min(nextInMs, Math.max(0, nextDue - Date.now()))
    } catch (error) {
      if (!this.stopped) this.onError(error)
    }
    this.schedule(nextInMs)
  }
}
