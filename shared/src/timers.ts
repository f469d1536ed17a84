/**
 * Node runs a timer of 2^31 ms or more after 1 ms instead (with a warning):
 * every delay goes through here. A wait longer than this re-arms at its end.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** `ms` as a delay Node honours: at least 0, at most MAX_TIMER_MS. */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0
  return Math.min(Math.ceil(ms), MAX_TIMER_MS)
}

/**
 * Runs `callback` once `ms` have passed, however long that is: a delay past
 * MAX_TIMER_MS re-arms until it is due, and `Infinity` never fires (nor holds
 * a timer). Returns the cancel function.
 */
export function longTimeout(
  callback: () => void,
  ms: number,
  options: { unref?: boolean } = {},
): () => void {
  if (ms === Number.POSITIVE_INFINITY) return () => {}
  const due = performance.now() + ms
  let timer: NodeJS.Timeout
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const left = due - performance.now()
      if (left > 0) arm(left)
      else callback()
    }, timerDelay(delay))
    if (options.unref) timer.unref()
  }
  // Always through a timer, never at once: callers count on the callback coming later.
  arm(ms)
  return () => clearTimeout(timer)
}
