import { Timeout, ValueError } from '../errors.js'
import { option, type Schema } from '../options.js'
import { checkWaitOptions, Deadline, type WaitOptions } from '../waits.js'

export interface AsyncCallbacks<T> {
  /** Called with the result once it is ready, as Python's `callback`. */
  callback?: (result: T) => void
  /** Called with the error if the work failed, as Python's `error_callback`. */
  errorCallback?: (error: unknown) => void
}

/** The checks of the callbacks, for the options objects that carry them. */
export function callbackChecks<T>(): Schema<AsyncCallbacks<T>> {
  return {
    callback: option.function<(result: T) => void>(),
    errorCallback: option.function<(error: unknown) => void>(),
  }
}

type State<T> =
  | { kind: 'pending' }
  | { kind: 'fulfilled'; value: T }
  | { kind: 'rejected'; error: unknown }

/** Python's `AsyncResult`: what `applyAsync` and `mapAsync` return at once. */
export class AsyncResult<T> {
  private state: State<T> = { kind: 'pending' }
  private readonly settled: Promise<void>
  private readonly context: (() => Promise<string>) | undefined

  /** `context` tells a TIMEOUT's message where the work went and who serves it. */
  constructor(
    work: Promise<T>,
    callbacks: AsyncCallbacks<T> = {},
    context?: () => Promise<string>,
  ) {
    this.context = context
    this.settled = work.then(
      (value) => {
        this.state = { kind: 'fulfilled', value }
        callbacks.callback?.(value)
      },
      (error: unknown) => {
        this.state = { kind: 'rejected', error }
        callbacks.errorCallback?.(error)
      },
    )
  }

  /**
   * The result, once ready; `TIMEOUT` if it is not ready within `timeout` ms,
   * `ABORTED` when `signal` aborts first (the work goes on).
   */
  async get(options?: WaitOptions): Promise<T> {
    if (!(await this.waitFor(options, 'get'))) {
      const where = await this.context?.().catch(() => undefined)
      throw new Timeout(
        `the result was not ready within ${options?.timeout} ms${where ? ` (${where})` : ''}`,
      )
    }
    const state = this.state as Exclude<State<T>, { kind: 'pending' }>
    if (state.kind === 'rejected') throw state.error
    return state.value
  }

  /** Waits until ready or `timeout` ms; true when ready. `ABORTED` when `signal` aborts first. */
  async wait(options?: WaitOptions): Promise<boolean> {
    return this.waitFor(options, 'wait')
  }

  private async waitFor(options: WaitOptions | undefined, method: string): Promise<boolean> {
    const { timeoutMs, signal } = checkWaitOptions(options, method)
    return new Deadline(timeoutMs).race(this.settled, signal, method)
  }

  ready(): boolean {
    return this.state.kind !== 'pending'
  }

  /** Whether the work succeeded; `VALUE_ERROR` while it is not ready, as in Python. */
  successful(): boolean {
    if (this.state.kind === 'pending') throw new ValueError('the result is not ready yet')
    return this.state.kind === 'fulfilled'
  }
}
