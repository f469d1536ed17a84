import { describe } from '../arguments.js'
import type { Json } from '../codec.js'
import { RedprocTypeError } from '../errors.js'

/** A task function of a tasks module: what `pool.map(tasks.double, xs)` takes. */
// biome-ignore lint/suspicious/noExplicitAny: any parameter list, for inference
export type TaskFunction = (...args: any[]) => unknown

/**
 * A task as a call names it: its name, as every worker knows it, or the
 * exported function itself, which the pool sends by its name and which types
 * the call.
 */
export type TaskRef = string | TaskFunction

/** What a task's call gives back, once it crossed as JSON: `undefined` comes back `null`. */
export type TaskResult<F extends TaskFunction> = NullForVoid<Awaited<ReturnType<F>>>

type NullForVoid<T> = T extends void ? null : T

/** The one argument `map` passes to each call of `F`; any JSON for a task that takes none. */
export type TaskItem<F extends TaskFunction> = Parameters<F> extends [] ? Json : Parameters<F>[0]

/**
 * The name a task travels by. A function goes by its `name`, which is its
 * export name for `export function f` and `export const f = () => …`; one
 * exported under another name must be called by that name instead.
 */
export function taskName(task: unknown, what = 'task'): string {
  if (typeof task === 'string') return task
  if (typeof task === 'function') {
    if (task.name) return task.name
    throw new RedprocTypeError(
      `${what} is a function without a name: pass an exported task function, or the task's name`,
    )
  }
  throw new RedprocTypeError(
    `${what} must be a task's name or its exported function, not ${describe(task)}`,
  )
}
