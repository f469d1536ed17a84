import { checkOptions, option, type Schema } from '../../options.js'
import {
  checkWaitOptions as checkWait,
  Deadline,
  throwIfAborted,
  WAIT_OPTIONS,
  type WaitOptions,
} from '../../waits.js'

export type { WaitOptions }

export interface JoinableQueueOptions {
  /**
   * Python's `maxsize`: put() waits while this many items wait to be taken;
   * 0 means unbounded. The first put on the queue fixes it for every handle.
   * @default 0
   */
  maxsize?: number
  /**
   * How long, in ms, an item stays with a consumer that stopped renewing it
   * (its process died) before it is delivered again. Live consumers renew
   * every third of it, so it must outlast the longest event-loop stall.
   * @default 30000
   */
  lease?: number
  /**
   * The most items one get() round trip takes ahead while this handle's gets
   * come fast (a take also covers all gets waiting at once). Items fetched
   * ahead go back when no get() comes for 100 ms. 1 fetches only what is
   * asked for.
   * @default 32
   */
  prefetch?: number
  /**
   * Acknowledged jobs kept in BullMQ's completed set for tools such as
   * bull-board; 0 deletes each job as it is acknowledged.
   * @default 0
   */
  keepCompleted?: number
  /**
   * Job events (waiting, active, completed …) kept in BullMQ's events stream,
   * which BullMQ's `QueueEvents` listeners read; 0 writes none. The stream
   * grows with the traffic, not with the items held, so it is off unless
   * asked for. The queue's first put or get records it for every handle,
   * unless the queue has BullMQ's setting already (a BullMQ `Queue` opened
   * on it writes its `streams.events.maxLen`, 10,000 by default).
   * @default 0
   */
  keepEvents?: number
}

export type ResolvedJoinableQueueOptions = Readonly<Required<JoinableQueueOptions>>

export const JOINABLE_QUEUE_DEFAULTS: ResolvedJoinableQueueOptions = {
  maxsize: 0,
  lease: 30_000,
  prefetch: 32,
  keepCompleted: 0,
  keepEvents: 0,
}

/** The options of put() and get(). */
export interface BlockingOptions extends WaitOptions {
  /** Python's `block`: false fails at once with FULL or EMPTY instead of waiting. @default true */
  block?: boolean
}

export interface ShutdownOptions {
  /** Drop the waiting items (counted as done) and fail gets at once. @default false */
  immediate?: boolean
}

const SCHEMA: Schema<JoinableQueueOptions> = {
  maxsize: option.integer(0),
  lease: option.integer(100),
  prefetch: option.integer(1),
  keepCompleted: option.integer(0),
  keepEvents: option.integer(0),
}

const BLOCKING_OPTIONS: Schema<BlockingOptions> = { ...WAIT_OPTIONS, block: option.boolean }

const SHUTDOWN_OPTIONS: Schema<ShutdownOptions> = { immediate: option.boolean }

export function resolveOptions(
  options: JoinableQueueOptions | undefined,
): ResolvedJoinableQueueOptions {
  return { ...JOINABLE_QUEUE_DEFAULTS, ...checkOptions(options, SCHEMA, 'joinable queue options') }
}

/**
 * A wait's options, checked: its timeout, the `performance.now()` time it
 * ends, its signal (`ABORTED` at once when it has aborted).
 */
export function checkWaitOptions(
  options: WaitOptions | undefined,
  method: string,
): {
  timeoutMs: number | undefined
  deadline: Deadline
  signal: AbortSignal | undefined
} {
  const wait = checkWait(options, method)
  return { ...wait, deadline: new Deadline(wait.timeoutMs) }
}

/** put() and get() options, checked: a wait's, and whether to wait at all. */
export function checkBlockingOptions(
  options: BlockingOptions | undefined,
  method: string,
): ReturnType<typeof checkWaitOptions> & { block: boolean } {
  const { block, timeout, signal } = checkOptions(options, BLOCKING_OPTIONS, `${method}() options`)
  throwIfAborted(signal, method)
  return { block: block ?? true, timeoutMs: timeout, deadline: new Deadline(timeout), signal }
}

/** Python 3.13's shutdown(immediate=False), checked. */
export function checkShutdownOptions(options: ShutdownOptions | undefined): boolean {
  return checkOptions(options, SHUTDOWN_OPTIONS, 'shutdown() options').immediate ?? false
}
