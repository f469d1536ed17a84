import { setMaxListeners } from 'node:events'
import { checkIterable } from '../arguments.js'
import type { Json } from '../codec.js'
import { RedprocTypeError, RemoteTaskError, ShutDown, Timeout, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { checkWaitOptions, Deadline, type WaitOptions } from '../waits.js'
import { type AsyncCallbacks, AsyncResult, callbackChecks } from './async-result.js'
import type { PoolBackend } from './backend.js'
import { type Settled, type Stream, streamChunks } from './chunk-stream.js'
import { defaultChunksize } from './chunking.js'
import { checkJson } from './json-check.js'
import {
  type TaskFunction,
  type TaskItem,
  type TaskRef,
  type TaskResult,
  taskName,
} from './task-ref.js'

export interface TaskOptions {
  /**
   * The longest one call of the task may run, in ms; past it the call fails
   * with TIMEOUT. A local pool stops the worker running it and starts
   * another. @default no limit
   */
  timeout?: number
}

export interface ImapOptions extends TaskOptions {
  /** Items sent to a worker at once. @default map: about 4 chunks per worker; imap: 1 */
  chunksize?: number
}

/** How far a map has come: items done, of how many. */
export interface MapProgress {
  done: number
  total: number
}

export interface MapOptions extends ImapOptions {
  /** Called as each chunk's results come back, for a progress bar. @default none */
  onProgress?: (progress: MapProgress) => void
}

const TASK_OPTIONS: Schema<TaskOptions> = { timeout: option.timeout }
const IMAP_OPTIONS: Schema<ImapOptions> = { ...TASK_OPTIONS, chunksize: option.integer(1) }
const MAP_OPTIONS: Schema<MapOptions> = {
  ...IMAP_OPTIONS,
  onProgress: option.function<(progress: MapProgress) => void>(),
}

function asyncChecks<O extends object, R>(schema: Schema<O>): Schema<O & AsyncCallbacks<R>> {
  return { ...schema, ...callbackChecks<R>() } as Schema<O & AsyncCallbacks<R>>
}

type State = 'running' | 'closed' | 'terminated'

/**
 * Python's `Pool`: named tasks applied to items by workers — threads or child
 * processes of this process, or `serve` processes on any machine. Results
 * come back in order unless asked otherwise. A task is named by its name or
 * passed as its exported function, which types the results:
 * `pool.map(tasks.double, [1, 2])` is a `Promise<number[]>`.
 */
export class Pool implements AsyncDisposable {
  private state: State = 'running'
  private readonly backend: PoolBackend
  private readonly cancel = new AbortController()
  private readonly outstanding = new Set<Promise<unknown>>()

  constructor(backend: PoolBackend) {
    this.backend = backend
    // Every chunk in flight listens for terminate(): many, and no leak.
    setMaxListeners(0, this.cancel.signal)
  }

  /** `pool.map(f, items)`: every result, in order. */
  map<F extends TaskFunction>(
    task: F,
    items: Iterable<TaskItem<F>>,
    options?: MapOptions,
  ): Promise<TaskResult<F>[]>
  map<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: MapOptions,
  ): Promise<R[]>
  async map(task: TaskRef, items: Iterable<Json>, options?: MapOptions): Promise<unknown[]> {
    const [name, checked] = this.checkCall(task, options, MAP_OPTIONS, 'map')
    const all = this.snapshot(items)
    for (let i = 0; i < all.length; i++) checkJson(all[i], () => `item ${i}`)
    return this.track(this.collect(name, all, false, checked))
  }

  /** `pool.starmap(f, [[a, b], …])`: like map, spreading each item into arguments. */
  starmap<F extends TaskFunction>(
    task: F,
    argsList: Iterable<Parameters<F>>,
    options?: MapOptions,
  ): Promise<TaskResult<F>[]>
  starmap<R extends Json = Json>(
    task: string,
    argsList: Iterable<Json[]>,
    options?: MapOptions,
  ): Promise<R[]>
  async starmap(
    task: TaskRef,
    argsList: Iterable<Json[]>,
    options?: MapOptions,
  ): Promise<unknown[]> {
    const [name, checked] = this.checkCall(task, options, MAP_OPTIONS, 'starmap')
    const all = this.snapshot<Json>(argsList)
    for (let i = 0; i < all.length; i++) checkArgs(all[i], () => `argument list ${i}`)
    return this.track(this.collect(name, all, true, checked))
  }

  /**
   * `pool.imap(f, items)`: results in order, as they arrive; memory stays
   * bounded for endless input. An input that throws gives the results before
   * the failing item, then the error.
   */
  imap<F extends TaskFunction>(
    task: F,
    items: Iterable<TaskItem<F>>,
    options?: ImapOptions,
  ): AsyncIterable<TaskResult<F>>
  imap<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: ImapOptions,
  ): AsyncIterable<R>
  imap(task: TaskRef, items: Iterable<Json>, options?: ImapOptions): AsyncIterable<Json> {
    return this.results(task, items, options, true, 'imap')
  }

  /** `pool.imap_unordered(f, items)`: results as soon as each is ready. */
  imapUnordered<F extends TaskFunction>(
    task: F,
    items: Iterable<TaskItem<F>>,
    options?: ImapOptions,
  ): AsyncIterable<TaskResult<F>>
  imapUnordered<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: ImapOptions,
  ): AsyncIterable<R>
  imapUnordered(task: TaskRef, items: Iterable<Json>, options?: ImapOptions): AsyncIterable<Json> {
    return this.results(task, items, options, false, 'imapUnordered')
  }

  /** `pool.apply(f, args)` */
  apply<F extends TaskFunction>(
    task: F,
    args?: Parameters<F>,
    options?: TaskOptions,
  ): Promise<TaskResult<F>>
  apply<R extends Json = Json>(task: string, args?: Json[], options?: TaskOptions): Promise<R>
  async apply(task: TaskRef, args: Json[] = [], options?: TaskOptions): Promise<unknown> {
    const [name, checked] = this.checkCall(task, options, TASK_OPTIONS, 'apply')
    return this.applyChecked(name, args, checked)
  }

  /**
   * `pool.apply_async(f, args, callback, error_callback)`. A bad task name or
   * bad options fail here; bad arguments fail the result.
   */
  applyAsync<F extends TaskFunction>(
    task: F,
    args?: Parameters<F>,
    options?: TaskOptions & AsyncCallbacks<TaskResult<F>>,
  ): AsyncResult<TaskResult<F>>
  applyAsync<R extends Json = Json>(
    task: string,
    args?: Json[],
    options?: TaskOptions & AsyncCallbacks<R>,
  ): AsyncResult<R>
  applyAsync(
    task: TaskRef,
    args: Json[] = [],
    options?: TaskOptions & AsyncCallbacks<unknown>,
  ): AsyncResult<unknown> {
    const schema = asyncChecks<TaskOptions, unknown>(TASK_OPTIONS)
    const [name, checked] = this.checkCall(task, options, schema, 'applyAsync')
    const { callback, errorCallback, ...taskOptions } = checked
    return this.asyncResult(this.applyChecked(name, args, taskOptions), { callback, errorCallback })
  }

  /** `pool.map_async(f, items, chunksize, callback, error_callback)` */
  mapAsync<F extends TaskFunction>(
    task: F,
    items: Iterable<TaskItem<F>>,
    options?: MapOptions & AsyncCallbacks<TaskResult<F>[]>,
  ): AsyncResult<TaskResult<F>[]>
  mapAsync<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: MapOptions & AsyncCallbacks<R[]>,
  ): AsyncResult<R[]>
  mapAsync(
    task: TaskRef,
    items: Iterable<Json>,
    options?: MapOptions & AsyncCallbacks<unknown[]>,
  ): AsyncResult<unknown[]> {
    const schema = asyncChecks<MapOptions, unknown[]>(MAP_OPTIONS)
    const [name, checked] = this.checkCall(task, options, schema, 'mapAsync')
    const { callback, errorCallback, ...mapOptions } = checked
    return this.asyncResult(this.map(name, items, mapOptions), { callback, errorCallback })
  }

  /** `pool.starmap_async(f, argsList, chunksize, callback, error_callback)` */
  starmapAsync<F extends TaskFunction>(
    task: F,
    argsList: Iterable<Parameters<F>>,
    options?: MapOptions & AsyncCallbacks<TaskResult<F>[]>,
  ): AsyncResult<TaskResult<F>[]>
  starmapAsync<R extends Json = Json>(
    task: string,
    argsList: Iterable<Json[]>,
    options?: MapOptions & AsyncCallbacks<R[]>,
  ): AsyncResult<R[]>
  starmapAsync(
    task: TaskRef,
    argsList: Iterable<Json[]>,
    options?: MapOptions & AsyncCallbacks<unknown[]>,
  ): AsyncResult<unknown[]> {
    const schema = asyncChecks<MapOptions, unknown[]>(MAP_OPTIONS)
    const [name, checked] = this.checkCall(task, options, schema, 'starmapAsync')
    const { callback, errorCallback, ...mapOptions } = checked
    return this.asyncResult(this.starmap(name, argsList, mapOptions), { callback, errorCallback })
  }

  /** Takes no more work; what was submitted still completes. */
  close(): void {
    if (this.state === 'running') this.state = 'closed'
  }

  /** Cancels every chunk that has not started and releases the workers. */
  async terminate(): Promise<void> {
    this.state = 'terminated'
    this.cancel.abort(new ShutDown('the pool was terminated'))
    await this.backend.terminate()
  }

  /**
   * Waits for all submitted work after `close()` or `terminate()`, then
   * releases the workers. `TIMEOUT` after `timeout`, `ABORTED` when `signal`
   * aborts: the work goes on, and a later `join` waits for the rest.
   */
  async join(options?: WaitOptions): Promise<void> {
    const { timeoutMs, signal } = checkWaitOptions(options, 'join')
    if (this.state === 'running')
      throw new ValueError('join() needs close() or terminate() first, as in Python')
    const deadline = new Deadline(timeoutMs)
    while (this.outstanding.size > 0) {
      if (!(await deadline.race(Promise.allSettled([...this.outstanding]), signal, 'join'))) {
        throw new Timeout(`the pool's work was still running after ${timeoutMs} ms`)
      }
    }
    await this.backend.close()
  }

  /** `await using pool = mp.pool(…)`: terminate() at the end of the block, as Python's `with Pool()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate()
  }

  private async applyChecked(name: string, args: Json[], options: TaskOptions): Promise<unknown> {
    const argsList = [checkArgs(args, () => 'args')]
    const [result] = await this.starmap(name, argsList, { ...options, chunksize: 1 })
    return result
  }

  /** An AsyncResult whose TIMEOUT says where the work went and who serves it. */
  private asyncResult<R>(work: Promise<R>, callbacks: AsyncCallbacks<R>): AsyncResult<R> {
    return new AsyncResult(work, callbacks, () => this.backend.describe())
  }

  /** Every result of a list checked already, in order; the default chunksize is Python's. */
  private async collect(
    task: string,
    items: Json[],
    spread: boolean,
    options: MapOptions,
  ): Promise<Json[]> {
    if (items.length === 0) return []
    const capacity = await this.backend.capacity()
    const { chunksize, timeout, onProgress } = options
    const stream: Stream = {
      task,
      items,
      spread,
      chunksize: chunksize ?? defaultChunksize(items.length, capacity),
      ordered: true,
    }
    if (timeout !== undefined) stream.timeout = timeout
    if (onProgress) stream.onProgress = (done) => onProgress({ done, total: items.length })
    const parts: Json[][] = []
    // The whole input is in memory already: a default map goes out at once.
    for await (const chunk of this.stream(stream, 4 * capacity)) parts.push(chunk)
    return joinParts(parts)
  }

  /** imap's results one by one, from a lazily read input checked chunk by chunk. */
  private results(
    task: TaskRef,
    items: Iterable<Json>,
    options: ImapOptions | undefined,
    ordered: boolean,
    method: string,
  ): AsyncIterable<Json> {
    const [name, { chunksize = 1, timeout }] = this.checkCall(task, options, IMAP_OPTIONS, method)
    const stream: Stream = {
      task: name,
      items: checkIterable(items, 'items'),
      spread: false,
      chunksize,
      ordered,
      unchecked: true,
    }
    if (timeout !== undefined) stream.timeout = timeout
    const chunks = this.stream(stream)
    return (async function* () {
      for await (const chunk of chunks) yield* chunk
    })()
  }

  private async *stream(stream: Stream, window?: number): AsyncGenerator<Json[]> {
    const inFlightAtMost = Math.max(2, window ?? 2 * (await this.backend.capacity()))
    yield* streamChunks(
      stream,
      inFlightAtMost,
      (request) => this.track(this.backend.run(request, this.cancel.signal)),
      (settled) => this.resultsOf(settled),
    )
  }

  /** Counts `work` as outstanding from the moment it is submitted, for join(). */
  private track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => {},
      () => {},
    )
    this.outstanding.add(settled)
    void settled.then(() => this.outstanding.delete(settled))
    return work
  }

  private resultsOf(settled: Settled): Json[] {
    if ('error' in settled) {
      if (this.cancel.signal.aborted)
        throw new ShutDown('the pool was terminated before this work finished')
      throw settled.error
    }
    if (!settled.outcome.ok) throw new RemoteTaskError(settled.outcome.failure)
    return settled.outcome.results
  }

  /** What every call checks before it takes work: the pool runs, the task, the options. */
  private checkCall<O extends object>(
    task: TaskRef,
    options: O | undefined,
    schema: Schema<O>,
    method: string,
  ): [string, Readonly<O>] {
    this.checkRunning()
    return [taskName(task), checkOptions(options, schema, `${method}() options`)]
  }

  private checkRunning(): void {
    if (this.state !== 'running')
      throw new ValueError(`the pool is ${this.state}: it takes no new work`)
  }

  /**
   * The input as an array: an array as it is (as Python's map takes a list;
   * copying a large one would cost more than the work of a trivial task).
   */
  private snapshot<T>(items: Iterable<T>): T[] {
    checkIterable(items, 'items')
    return Array.isArray(items) ? items : Array.from(items)
  }
}

/** The chunks' results as one array, built at once rather than grown item by item. */
function joinParts(parts: Json[][]): Json[] {
  // concat takes its arguments on the stack: a bounded number of them at a time
  if (parts.length <= 1024) return ([] as Json[]).concat(...parts)
  const results: Json[] = []
  for (const part of parts) for (const result of part) results.push(result)
  return results
}

function checkArgs(args: unknown, describe: () => string): Json[] {
  if (!Array.isArray(args))
    throw new RedprocTypeError(`${describe()} must be an array of arguments`)
  for (let i = 0; i < args.length; i++) checkJson(args[i], () => `${describe()}[${i}]`)
  return args
}
