import { timerDelay } from '../../timers.js'

/**
 * How often a wait that relies on a published message checks Redis anyway.
 * A message is gone for good when it is published while the subscriber's
 * socket is down; the hub's re-subscription covers that within a reconnect,
 * this covers what nothing can see (a proxy dropping messages, say).
 */
export const RECHECK_MS = 5_000

/**
 * A wake-up that cannot be lost: `notify` before `wait` is remembered, so a
 * waiter may subscribe, check Redis, and only then wait.
 */
export class Wakeup {
  private notified = false
  private wake: (() => void) | undefined

  notify(): void {
    this.notified = true
    this.wake?.()
  }

  /**
   * Resolves true once notified (consuming the notification), false when
   * `deadline` (a `performance.now()` time) passes first; rejects with the
   * reason of the first of `signals` to abort.
   */
  wait(deadline: number | undefined, ...signals: (AbortSignal | undefined)[]): Promise<boolean> {
    const watched = signals.filter((signal): signal is AbortSignal => signal !== undefined)
    for (const signal of watched) signal.throwIfAborted()
    if (this.notified) {
      this.notified = false
      return Promise.resolve(true)
    }
    return new Promise<boolean>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const aborts = watched.map((signal) => {
        const onAbort = () => finish(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        return () => signal.removeEventListener('abort', onAbort)
      })
      const finish = (outcome: unknown) => {
        clearTimeout(timer)
        for (const remove of aborts) remove()
        this.wake = undefined
        if (typeof outcome === 'boolean') resolve(outcome)
        else reject(outcome)
      }
      this.wake = () => {
        this.notified = false
        finish(true)
      }
      if (deadline !== undefined) {
        const arm = () => {
          const left = deadline - performance.now()
          // Timers may fire a little early; a wait never ends before its deadline.
          timer = left > 0 ? setTimeout(arm, timerDelay(left)) : undefined
          if (left <= 0) finish(false)
        }
        arm()
      }
    })
  }

  /**
   * Waits until notified or until it is time to check Redis again
   * (`RECHECK_MS`): true either way, false only once `deadline` passed.
   * Callers check their condition in Redis after each wake.
   */
  async waitOrRecheck(
    deadline: number | undefined,
    ...signals: (AbortSignal | undefined)[]
  ): Promise<boolean> {
    const recheckAt = performance.now() + RECHECK_MS
    if (deadline !== undefined && deadline <= recheckAt) return this.wait(deadline, ...signals)
    await this.wait(recheckAt, ...signals)
    return true
  }
}

/** The `performance.now()` time a wait of `timeoutMs` ends; undefined waits forever. */
export function deadlineOf(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined ? undefined : performance.now() + timeoutMs
}
