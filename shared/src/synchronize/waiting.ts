import { checkIndex } from '../arguments.js'
import { ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { KEY_PARTS, type ObjectKeys } from '../redis/keys.js'

/**
 * The longest a waiter blocks before it checks again. Waiters that hold no
 * lease of their own (lock and semaphore waiters, condition waiters) note a
 * deadline in Redis, and a release skips waiters past it: this bounds how long
 * a crashed waiter can swallow a wake-up meant for a live one.
 */
export const MAX_BLOCK_MS = 30_000

/** How long a waiter stays listed after its block ends, to cover its next round trip. */
export const LISTEN_GRACE_MS = 2_000

/** The keys through which the waiters of one primitive are queued and woken. */
export class WaitQueue {
  /** A sorted set of waiter ids. */
  readonly waiters: string
  /** A hash: waiter id → the time (ms) after which it no longer listens. */
  readonly deadlines: string
  /** Prefix of each waiter's wake-up list; a script appends the waiter id. */
  readonly wakePrefix: string

  constructor(keys: ObjectKeys, stem = '') {
    this.waiters = keys.part(`${stem}${KEY_PARTS.waitQueue.waiters}`)
    this.deadlines = keys.part(`${stem}${KEY_PARTS.waitQueue.deadlines}`)
    this.wakePrefix = keys.part(`${stem}${KEY_PARTS.waitQueue.wakePrefix}`)
  }

  /** The list a waiter blocks on, and a release pushes to. */
  wakeKey(waiterId: string): string {
    return `${this.wakePrefix}${waiterId}`
  }
}

/** When a wait started with `timeout` must end; undefined = never. */
export class Deadline {
  private readonly end: number | undefined

  constructor(timeoutMs: number | undefined) {
    this.end = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
  }

  /** Milliseconds left (0 once over), undefined for a wait without end. */
  remaining(): number | undefined {
    return this.end === undefined ? undefined : Math.max(0, this.end - performance.now())
  }

  /** How long the next block may last: what is left, at most `MAX_BLOCK_MS`, whole ms. */
  nextBlock(): number {
    const remaining = this.remaining()
    return remaining === undefined
      ? MAX_BLOCK_MS
      : Math.max(1, Math.ceil(Math.min(remaining, MAX_BLOCK_MS)))
  }
}

export interface AcquireOptions {
  /** Wait for the lock (or permit) when it is taken. @default true */
  blocking?: boolean
  /** The longest to wait, in ms. @default forever */
  timeout?: number
}

const ACQUIRE_OPTIONS: Schema<AcquireOptions> = {
  blocking: option.boolean,
  timeout: option.timeout,
}

/** Python's `acquire(blocking=True, timeout=None)`, checked. */
export function checkAcquireOptions(options: AcquireOptions | undefined): {
  blocking: boolean
  timeoutMs: number | undefined
} {
  const checked = checkOptions(options, ACQUIRE_OPTIONS, 'acquire() options')
  const blocking = checked.blocking ?? true
  // Checked on the options given: an infinite timeout is still a timeout.
  if (!blocking && options?.timeout !== undefined) {
    throw new ValueError("can't specify a timeout for a non-blocking call")
  }
  return { blocking, timeoutMs: checked.timeout }
}

/** An integer count at least `min`: TYPE_ERROR when not an integer, VALUE_ERROR when too small. */
export function checkCount(value: unknown, what: string, min: number): number {
  const count = checkIndex(value, what)
  if (count < min) throw new ValueError(`${what} must be at least ${min}, not ${count}`)
  return count
}

/** The guard `hold()` returns: runs `release` once, when disposed (`await using`). */
export function releaseOnDispose(release: () => Promise<void>): AsyncDisposable {
  let released = false
  return {
    [Symbol.asyncDispose]: async () => {
      if (released) return
      released = true
      await release()
    },
  }
}
