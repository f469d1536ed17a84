import { longTimeout } from '../../timers.js'
import { Deadline } from '../../waits.js'

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
   * `deadline` passes first; rejects with the reason of the first of
   * `signals` to abort.
   */
  wait(deadline: Deadline, ...signals: (AbortSignal | undefined)[]): Promise<boolean> {
    const watched = signals.filter((signal): signal is AbortSignal => signal !== undefined)
    for (const signal of watched) signal.throwIfAborted()
    if (this.notified) {
      this.notified = false
      return Promise.resolve(true)
    }
    return new Promise<boolean>((resolve, reject) => {
      let cancelTimer = () => {}
      const aborts = watched.map((signal) => {
        const onAbort = () => finish(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        return () => signal.removeEventListener('abort', onAbort)
      })
      const finish = (outcome: unknown) => {
        cancelTimer()
        for (const remove of aborts) remove()
        this.wake = undefined
        if (typeof outcome === 'boolean') resolve(outcome)
        else reject(outcome)
      }
      this.wake = () => {
        this.notified = false
        finish(true)
      }
      const remaining = deadline.remaining()
      if (remaining !== undefined) cancelTimer = longTimeout(() => finish(false), remaining)
    })
  }

  /**
   * Waits until notified or until it is time to check Redis again
   * (`RECHECK_MS`): true either way, false only once `deadline` passed.
   * Callers check their condition in Redis after each wake.
   */
  async waitOrRecheck(
    deadline: Deadline,
    ...signals: (AbortSignal | undefined)[]
  ): Promise<boolean> {
    const remaining = deadline.remaining()
    if (remaining !== undefined && remaining <= RECHECK_MS) return this.wait(deadline, ...signals)
    await this.wait(new Deadline(RECHECK_MS), ...signals)
    return true
  }
}
