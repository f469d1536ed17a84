/**
 * The vocabulary every blocking call shares: `{ timeout?, signal? }` (all
 * times are milliseconds; without a timeout a call waits forever), the
 * checker of those options, the `ABORTED` failure of a call whose signal
 * aborted, and the `Deadline` a wait counts down.
 */
import { setMaxListeners } from 'node:events'
import { AbortError } from './errors.js'
import { checkOptions, option, type Schema } from './options.js'
import { longTimeout } from './timers.js'

/** The options of every call that may block. */
export interface WaitOptions {
  /** The longest to wait, in ms; `Infinity` is forever. @default forever */
  timeout?: number
  /**
   * Gives up the wait: the call fails with `ABORTED` (`cause`: the signal's
   * reason), having given back whatever it was granted meanwhile.
   */
  signal?: AbortSignal
}

/** The checks of `WaitOptions`, for the schemas of options types that extend it. */
export const WAIT_OPTIONS: Schema<WaitOptions> = { timeout: option.timeout, signal: option.signal }

/** A wait's options, checked: the timeout (undefined: forever) and the signal. */
export interface Wait {
  timeoutMs: number | undefined
  signal: AbortSignal | undefined
}

/**
 * `method`'s `{ timeout, signal }`, checked; `ABORTED` at once when the
 * signal has already aborted, before Redis is touched.
 */
export function checkWaitOptions(options: WaitOptions | undefined, method: string): Wait {
  const { timeout, signal } = checkOptions(options, WAIT_OPTIONS, `${method}() options`)
  throwIfAborted(signal, method)
  return { timeoutMs: timeout, signal }
}

/** The error of a call `what` whose `signal` aborted. */
export function abortedError(signal: AbortSignal, what: string): AbortError {
  return new AbortError(`${what}() was aborted by its signal`, { cause: signal.reason })
}

/** `ABORTED` when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(signal, what)
}

/** Whether `error` is the failure `signal`'s abort caused: its reason, or `ABORTED` of it. */
export function isAbortOf(error: unknown, signal: AbortSignal | undefined): boolean {
  if (!signal?.aborted) return false
  return error === signal.reason || (error instanceof AbortError && error.cause === signal.reason)
}

/**
 * Runs a wait that rejects with `signal.reason` when the signal aborts
 * (a blocking pop, a wake-up), so that it fails with `ABORTED` instead.
 */
export async function failAborted<T>(
  signal: AbortSignal | undefined,
  what: string,
  wait: () => Promise<T>,
): Promise<T> {
  try {
    return await wait()
  } catch (error) {
    if (signal && isAbortOf(error, signal) && !(error instanceof AbortError)) {
      throw abortedError(signal, what)
    }
    throw error
  }
}

/** Calls `onAbort` once when `signal` aborts; returns the function that stops listening. */
export function whenAborted(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {}
  // One signal often ends many waits (a consumer's shutdown): no leak warning past ten.
  setMaxListeners(0, signal)
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
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

  get expired(): boolean {
    return this.remaining() === 0
  }

  /** How long the next block may last: what is left, at most `maxMs`, whole ms, at least 1. */
  nextBlock(maxMs: number): number {
    const remaining = this.remaining()
    return remaining === undefined ? maxMs : Math.max(1, Math.ceil(Math.min(remaining, maxMs)))
  }

  /**
   * Resolves true once `settled` settles, false when the deadline passes
   * first (re-armed past Node's longest timer); `ABORTED` when `signal`
   * aborts first.
   */
  async race(
    settled: Promise<unknown>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<boolean> {
    throwIfAborted(signal, what)
    let cancelTimer = () => {}
    let stopListening = () => {}
    try {
      return await new Promise<boolean>((resolve, reject) => {
        const remaining = this.remaining()
        if (remaining !== undefined) cancelTimer = longTimeout(() => resolve(false), remaining)
        stopListening = whenAborted(signal, () => reject(abortedError(signal as AbortSignal, what)))
        settled.then(
          () => resolve(true),
          () => resolve(true),
        )
      })
    } finally {
      cancelTimer()
      stopListening()
    }
  }
}
