import { setMaxListeners } from 'node:events'
import { checkIterable, checkKey } from '../arguments.js'
import type { Json } from '../codec.js'
import { RedprocTypeError, ShutDown, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { type AsyncCallbacks, AsyncResult, callbackChecks } from './async-result.js'
import type { PoolBackend } from './backend.js'
import { type ChunkOutcome, type ChunkRequest, RemoteTaskError } from './chunk.js'
import { chunked, defaultChunksize } from './chunking.js'
import { checkJson } from './json-check.js'

export interface MapOptions {
  /** Items sent to a worker at once. @default map: about 4 chunks per worker; imap: 1 */
  chunksize?: number
}

const MAP_OPTIONS: Schema<MapOptions> = { chunksize: option.integer(1) }

function mapAsyncChecks<R>(): Schema<MapOptions & AsyncCallbacks<R[]>> {
  return { ...MAP_OPTIONS, ...callbackChecks<R[]>() }
}

type State = 'running' | 'closed' | 'terminated'

type Settled = { index: number; outcome: ChunkOutcome } | { index: number; error: unknown }

/** One call's items on their way through the engine. */
interface Stream {
  task: string
  items: Iterable<Json>
  /** Each item is a list of arguments (starmap). */
  spread: boolean
  chunksize: number
  ordered: boolean
  /** Items read lazily, checked as their chunk goes out (imap). */
  unchecked?: boolean
}

/**
 * Python's `Pool`: named tasks applied to items by workers — threads of this
 * process (`backend: 'local'`) or `serve` processes on any machine
 * (`backend: 'redis'`). Results come back in order unless asked otherwise.
 */
export class Pool {
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
  async map<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: MapOptions,
  ): Promise<R[]> {
    const { chunksize } = this.checkCall(task, options, MAP_OPTIONS, 'map')
    const all = this.snapshot(items)
    for (let i = 0; i < all.length; i++) checkJson(all[i], () => `item ${i}`)
    return this.track(this.collect<R>(task, all, false, chunksize))
  }

  /** `pool.starmap(f, [[a, b], …])`: like map, spreading each item into arguments. */
  async starmap<R extends Json = Json>(
    task: string,
    argsList: Iterable<Json[]>,
    options?: MapOptions,
  ): Promise<R[]> {
    const { chunksize } = this.checkCall(task, options, MAP_OPTIONS, 'starmap')
    const all = this.snapshot<Json>(argsList)
    for (let i = 0; i < all.length; i++) checkArgs(all[i], () => `argument list ${i}`)
    return this.track(this.collect<R>(task, all, true, chunksize))
  }

  /** `pool.imap(f, items)`: results in order, as they arrive; memory stays bounded for endless input. */
  imap<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: MapOptions,
  ): AsyncIterable<R> {
    const { chunksize = 1 } = this.checkCall(task, options, MAP_OPTIONS, 'imap')
    return this.results(task, checkIterable(items, 'items'), chunksize, true) as AsyncIterable<R>
  }

  /** `pool.imap_unordered(f, items)`: results as soon as each is ready. */
  imapUnordered<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: MapOptions,
  ): AsyncIterable<R> {
    const { chunksize = 1 } = this.checkCall(task, options, MAP_OPTIONS, 'imapUnordered')
    return this.results(task, checkIterable(items, 'items'), chunksize, false) as AsyncIterable<R>
  }

  /** `pool.apply(f, args)` */
  async apply<R extends Json = Json>(task: string, args: Json[] = []): Promise<R> {
    const [result] = await this.starmap<R>(task, [checkArgs(args, () => 'args')], { chunksize: 1 })
    return result as R
  }

  /**
   * `pool.apply_async(f, args, callback, error_callback)`. A bad task name or
   * bad callbacks fail here; bad arguments fail the result.
   */
  applyAsync<R extends Json = Json>(
    task: string,
    args: Json[] = [],
    callbacks?: AsyncCallbacks<R>,
  ): AsyncResult<R> {
    const checked = this.checkCall(task, callbacks, callbackChecks<R>(), 'applyAsync')
    return new AsyncResult(this.apply<R>(task, args), checked)
  }

  /** `pool.map_async(f, items, chunksize, callback, error_callback)` */
  mapAsync<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options?: MapOptions & AsyncCallbacks<R[]>,
  ): AsyncResult<R[]> {
    const { callback, errorCallback, ...mapOptions } = this.checkCall(
      task,
      options,
      mapAsyncChecks<R>(),
      'mapAsync',
    )
    return new AsyncResult(this.map<R>(task, items, mapOptions), { callback, errorCallback })
  }

  /** `pool.starmap_async(f, argsList, chunksize, callback, error_callback)` */
  starmapAsync<R extends Json = Json>(
    task: string,
    argsList: Iterable<Json[]>,
    options?: MapOptions & AsyncCallbacks<R[]>,
  ): AsyncResult<R[]> {
    const { callback, errorCallback, ...mapOptions } = this.checkCall(
      task,
      options,
      mapAsyncChecks<R>(),
      'starmapAsync',
    )
    return new AsyncResult(this.starmap<R>(task, argsList, mapOptions), {
      callback,
      errorCallback,
    })
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

  /** Waits for all submitted work after `close()` or `terminate()`, then releases the workers. */
  async join(): Promise<void> {
    if (this.state === 'running')
      throw new ValueError('join() needs close() or terminate() first, as in Python')
    while (this.outstanding.size > 0) await Promise.allSettled([...this.outstanding])
    await this.backend.close()
  }

  /** Every result of a list checked already, in order; the default chunksize is Python's. */
  private async collect<R>(
    task: string,
    items: Json[],
    spread: boolean,
    chunksize: number | undefined,
  ): Promise<R[]> {
    if (items.length === 0) return []
    const capacity = await this.backend.capacity()
    const size = chunksize ?? defaultChunksize(items.length, capacity)
    const parts: Json[][] = []
    // The whole input is in memory already: a default map goes out at once.
    const window = 4 * capacity
    for await (const chunk of this.chunks(
      { task, items, spread, chunksize: size, ordered: true },
      window,
    ))
      parts.push(chunk)
    return joinParts(parts) as R[]
  }

  /** imap's results one by one, from a lazily read input checked chunk by chunk. */
  private async *results(
    task: string,
    items: Iterable<Json>,
    chunksize: number,
    ordered: boolean,
  ): AsyncGenerator<Json> {
    const stream: Stream = { task, items, spread: false, chunksize, ordered, unchecked: true }
    for await (const chunk of this.chunks(stream)) yield* chunk
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

  /**
   * The engine under every method: chunks go out lazily, at most a window of
   * them in flight, so a million-item imap holds a few chunks, not a million.
   * It yields each chunk's results (in order, or as they come), not each
   * result: a map of many small items costs a turn of the event loop per
   * chunk, not per item.
   */
  private async *chunks(stream: Stream, window?: number): AsyncGenerator<Json[]> {
    const { task, spread, chunksize, ordered } = stream
    const inFlightAtMost = Math.max(2, window ?? 2 * (await this.backend.capacity()))
    const source = chunked(stream.items, chunksize)
    // Chunks settle into this list; the loop sleeps only while it is empty.
    const arrived: Settled[] = []
    let wake: (() => void) | undefined
    const finished = new Map<number, Json[]>()
    let inFlight = 0
    let submitted = 0
    let nextToYield = 0
    let exhausted = false

    const fill = () => {
      while (!exhausted && inFlight + finished.size < inFlightAtMost) {
        const next = source.next()
        if (next.done) {
          exhausted = true
          return
        }
        const items = next.value
        if (stream.unchecked) {
          const first = submitted * chunksize
          for (let i = 0; i < items.length; i++) checkJson(items[i], () => `item ${first + i}`)
        }
        const request: ChunkRequest = spread ? { task, items, spread } : { task, items }
        void this.submit(submitted++, request).then((settled) => {
          arrived.push(settled)
          wake?.()
        })
        inFlight++
      }
    }

    fill()
    while (inFlight > 0) {
      if (arrived.length === 0)
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      wake = undefined
      for (let settled = arrived.shift(); settled; settled = arrived.shift()) {
        inFlight--
        const results = this.resultsOf(settled)
        if (!ordered) {
          yield results
          continue
        }
        finished.set(settled.index, results)
        for (let ready = finished.get(nextToYield); ready; ready = finished.get(nextToYield)) {
          finished.delete(nextToYield++)
          yield ready
        }
      }
      fill()
    }
  }

  /** Sends one chunk; the promise never rejects, so an abandoned stream leaves nothing unhandled. */
  private submit(index: number, request: ChunkRequest): Promise<Settled> {
    return this.track(
      this.backend.run(request, this.cancel.signal).then(
        (outcome): Settled => ({ index, outcome }),
        (error: unknown): Settled => ({ index, error }),
      ),
    )
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

  /** What every call checks before it takes work: the pool runs, the task is a name, the options. */
  private checkCall<O extends object>(
    task: string,
    options: O | undefined,
    schema: Schema<O>,
    method: string,
  ): Readonly<O> {
    this.checkRunning()
    checkKey(task, 'task')
    return checkOptions(options, schema, `${method}() options`)
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
