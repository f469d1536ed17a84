import { RedprocTypeError, ValueError } from './errors.js'
import { MAX_TIMER_MS } from './timers.js'

/** Python's "indices must be integers". */
export function checkIndex(index: unknown, what = 'index'): number {
  if (!Number.isSafeInteger(index)) {
    throw new RedprocTypeError(`${what} must be an integer, not ${describe(index)}`)
  }
  return index as number
}

/** Hash fields are strings: dict keys and namespace attributes. */
export function checkKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string')
    throw new RedprocTypeError(`${what} must be a string, not ${describe(key)}`)
  return key
}

export function checkFiniteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RedprocTypeError(`${what} must be a finite number, not ${describe(value)}`)
  }
  return value
}

/** How a message shows a value the caller passed: short, and never its whole content. */
export function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : 'a string'
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** An iterable the caller's items come in (an array, a Set, a generator…); strings are not. */
export function checkIterable<T>(items: Iterable<T>, what: string): Iterable<T> {
  if (
    typeof items === 'string' ||
    typeof (items as Iterable<T> | null | undefined)?.[Symbol.iterator] !== 'function'
  ) {
    throw new RedprocTypeError(
      `${what} must be an iterable of items (an array, a Set, a generator…), not ${describe(items)}`,
    )
  }
  return items
}

/** A callback the caller passed. */
export function checkFunction<F extends (...args: never[]) => unknown>(
  value: unknown,
  what: string,
): F {
  if (typeof value !== 'function') {
    throw new RedprocTypeError(`${what} must be a function, not ${describe(value)}`)
  }
  return value as F
}

/** A wait's `timeout` in milliseconds: undefined waits forever. */
export function checkTimeout(timeout: unknown, what = 'timeout'): number | undefined {
  if (timeout === undefined) return undefined
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new RedprocTypeError(`${what} must be a number of milliseconds, not ${describe(timeout)}`)
  }
  if (timeout < 0) throw new ValueError(`${what} must not be negative, not ${timeout}`)
  return timeout === Number.POSITIVE_INFINITY ? undefined : timeout
}

/**
 * The timeout argument of Redis's blocking commands (BLMOVE, BLPOP), in
 * seconds, where 0 means forever; never 0 for a finite wait. A wait longer
 * than MAX_TIMER_MS blocks that long and then again (Redis refuses a timeout
 * past its range), like a timer.
 */
export function blockingSeconds(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return 0
  return Math.min(Math.max(Math.ceil(timeoutMs), 1), MAX_TIMER_MS) / 1000
}
