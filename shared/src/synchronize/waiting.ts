import { checkIndex } from '../arguments.js'
import { ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { KEY_PARTS, type ObjectKeys, receiptKey } from '../redis/keys.js'
import { throwIfAborted, WAIT_OPTIONS, type Wait, type WaitOptions } from '../waits.js'

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

  /**
   * Where a waiter's blocking pop moves its wake-up (see `popWake`): after an
   * aborted wait the wake-up may be there rather than on the wake-up list.
   */
  receiptKey(waiterId: string): string {
    return receiptKey(this.wakeKey(waiterId))
  }
}

export interface AcquireOptions extends WaitOptions {
  /** Wait for the lock (or permit) when it is taken. @default true */
  blocking?: boolean
}

const ACQUIRE_OPTIONS: Schema<AcquireOptions> = { ...WAIT_OPTIONS, blocking: option.boolean }

/** Python's `acquire(blocking=True, timeout=None)`, checked; `ABORTED` when the signal has aborted. */
export function checkAcquireOptions(options: AcquireOptions | undefined): Wait & {
  blocking: boolean
} {
  const checked = checkOptions(options, ACQUIRE_OPTIONS, 'acquire() options')
  const blocking = checked.blocking ?? true
  // Checked on the options given: an infinite timeout is still a timeout.
  if (!blocking && options?.timeout !== undefined) {
    throw new ValueError("can't specify a timeout for a non-blocking call")
  }
  throwIfAborted(checked.signal, 'acquire')
  return { blocking, timeoutMs: checked.timeout, signal: checked.signal }
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
