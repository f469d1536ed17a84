import { threadId } from 'node:worker_threads'
import type { Json } from '../codec.js'
import type { RemoteFailure } from '../errors.js'
import { timerDelay } from '../timers.js'
import { checkJson } from './json-check.js'
import { type ChunkOutcome, type ChunkRequest, chunkFailed } from './wire.js'

/** The functions a tasks module exports, by name. */
export type Tasks = Record<string, unknown>

/**
 * Runs every item of a chunk through its task, one after another. The first
 * failure fails the chunk, as the first exception fails Python's `map`. A
 * task returning `undefined` yields `null`, as Python's `None`. A plain
 * function's result is taken as it is, without a turn of the microtask queue
 * per item; a promise is awaited. `between`, called before every item but the
 * first, may return a promise to wait for: how a serving process keeps the
 * chunk's lease while CPU-bound items run without a turn of the event loop.
 * With a `timeout`, an item that runs longer fails the chunk with TIMEOUT:
 * a promise is given up at the timeout (the work behind it cannot be
 * stopped from this thread), a plain call once it returns.
 */
export async function runChunk(
  tasks: Tasks,
  request: ChunkRequest,
  between?: () => Promise<void> | undefined,
): Promise<ChunkOutcome> {
  const fn = Object.hasOwn(tasks, request.task) ? tasks[request.task] : undefined
  if (typeof fn !== 'function') {
    const known = Object.keys(tasks).filter((name) => typeof tasks[name] === 'function')
    return fail(
      request.task,
      'UNKNOWN_TASK',
      `no task '${request.task}' is registered here (known: ${known.join(', ') || 'none'})`,
    )
  }
  const { items, spread, timeout } = request
  // Filled by push, not preallocated: a holey array clones several times slower to the caller.
  const results: Json[] = []
  const describe = () => `the result of task '${request.task}'`
  for (let i = 0; i < items.length; i++) {
    if (i > 0) {
      const pause = between?.()
      if (pause) await pause
    }
    try {
      const started = timeout === undefined ? 0 : performance.now()
      let result: unknown = spread ? fn(...(items[i] as Json[])) : fn(items[i])
      if (isThenable(result))
        result = await (timeout === undefined ? result : within(result, started + timeout))
      if (result === TIMED_OUT || (timeout !== undefined && performance.now() - started > timeout))
        return fail(
          request.task,
          'TIMEOUT',
          `the task ran longer than its timeout of ${timeout} ms`,
        )
      results.push(checkJson(result ?? null, describe))
    } catch (error) {
      const failure = fail(
        request.task,
        'REMOTE_TASK_FAILED',
        error instanceof Error ? error.message : String(error),
      )
      if (error instanceof Error && error.stack) failure.failure.stack = error.stack
      return failure
    }
  }
  return { ok: true, results }
}

const TIMED_OUT = Symbol('timed out')

/** `work`'s value, or TIMED_OUT once `deadline` (a `performance.now()` time) has passed. */
async function within(work: PromiseLike<unknown>, deadline: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timerDelay(deadline - performance.now()))
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function fail(task: string, code: RemoteFailure['code'], message: string) {
  return chunkFailed(task, code, message, { pid: process.pid, threadId })
}
