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
