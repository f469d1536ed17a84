import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A token bucket: `perSecond` tokens a second, at most one tenth of a
 * second's worth saved up, so a loop that fell behind (a slow round, a GC
 * pause) catches up by a small burst, never by a flood.
 */
export class TokenBucket {
  private tokens: number
  private last = performance.now()
  private readonly burst: number

  constructor(readonly perSecond: number) {
    this.burst = Math.max(1, perSecond / 10)
    this.tokens = this.burst
  }

  /** Waits until `n` tokens are there and takes them; false when `signal` aborted the wait. */
  async take(n: number, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false
      const now = performance.now()
      const capacity = Math.max(this.burst, n)
      this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond)
      this.last = now
      if (this.tokens >= n) {
        this.tokens -= n
        return true
      }
      const waitMs = ((n - this.tokens) / this.perSecond) * 1000
      try {
        await sleep(Math.ceil(waitMs), undefined, { signal })
      } catch {
        return false
      }
    }
  }
}
