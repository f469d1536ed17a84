import { checkIndex, checkKey } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import { RedprocTypeError, ShutDown, ValueError } from '../errors.js'
import { type AsyncCallbacks, AsyncResult } from './async-result.js'
import type { PoolBackend } from './backend.js'
import { type ChunkOutcome, RemoteTaskError } from './chunk.js'
import { chunked, defaultChunksize } from './chunking.js'

export interface MapOptions {
  /** Items sent to a worker at once. @default map: about 4 chunks per worker; imap: 1 */
  chunksize?: number
}

type State = 'running' | 'closed' | 'terminated'

type Settled = { index: number; outcome: ChunkOutcome } | { index: number; error: unknown }

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
  }

  /** `pool.map(f, items)`: every result, in order. */
  async map<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options: MapOptions = {},
  ): Promise<R[]> {
    return this.starmap<R>(task, mapArgs(this.checkItems(items)), options)
  }

  /** `pool.starmap(f, [[a, b], …])`: like map, spreading each item into arguments. */
  starmap<R extends Json = Json>(
    task: string,
    argsList: Iterable<Json[]>,
    options: MapOptions = {},
  ): Promise<R[]> {
    this.checkRunning()
    const all = [...this.checkItems(argsList)]
    for (const [i, args] of all.entries()) checkArgs(args, `argument list ${i}`)
    return this.track(this.collect<R>(task, all, options.chunksize))
  }

  /** `pool.imap(f, items)`: results in order, as they arrive; memory stays bounded for endless input. */
  imap<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options: MapOptions = {},
  ): AsyncIterable<R> {
    this.checkRunning()
    return this.stream(
      task,
      mapArgs(this.checkItems(items)),
      options.chunksize ?? 1,
      true,
    ) as AsyncIterable<R>
  }

  /** `pool.imap_unordered(f, items)`: results as soon as each is ready. */
  imapUnordered<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options: MapOptions = {},
  ): AsyncIterable<R> {
    this.checkRunning()
    return this.stream(
      task,
      mapArgs(this.checkItems(items)),
      options.chunksize ?? 1,
      false,
    ) as AsyncIterable<R>
  }

  /** `pool.apply(f, args)` */
  async apply<R extends Json = Json>(task: string, args: Json[] = []): Promise<R> {
    const [result] = await this.starmap<R>(task, [checkArgs(args, 'args')], { chunksize: 1 })
    return result as R
  }

  /** `pool.apply_async(f, args, callback, error_callback)` */
  applyAsync<R extends Json = Json>(
    task: string,
    args: Json[] = [],
    callbacks: AsyncCallbacks<R> = {},
  ): AsyncResult<R> {
    return new AsyncResult(this.apply<R>(task, args), callbacks)
  }

  /** `pool.map_async(f, items, chunksize, callback, error_callback)` */
  mapAsync<R extends Json = Json>(
    task: string,
    items: Iterable<Json>,
    options: MapOptions & AsyncCallbacks<R[]> = {},
  ): AsyncResult<R[]> {
    return new AsyncResult(this.map<R>(task, items, options), options)
  }

  /** `pool.starmap_async(f, argsList, chunksize, callback, error_callback)` */
  starmapAsync<R extends Json = Json>(
    task: string,
    argsList: Iterable<Json[]>,
    options: MapOptions & AsyncCallbacks<R[]> = {},
  ): AsyncResult<R[]> {
    return new AsyncResult(this.starmap<R>(task, argsList, options), options)
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

  private async collect<R>(
    task: string,
    argsList: Json[][],
    chunksize: number | undefined,
  ): Promise<R[]> {
    if (argsList.length === 0) return []
    const size = chunksize ?? defaultChunksize(argsList.length, await this.backend.capacity())
    const results: R[] = []
    for await (const result of this.stream(task, argsList, size, true)) results.push(result as R)
    return results
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
   */
  private async *stream(
    task: string,
    argsList: Iterable<Json[]>,
    chunksize: number,
    ordered: boolean,
  ): AsyncGenerator<Json> {
    checkKey(task, 'task')
    checkIndex(chunksize, 'chunksize')
    if (chunksize < 1) throw new ValueError(`chunksize must be at least 1, not ${chunksize}`)
    const window = Math.max(2, 2 * (await this.backend.capacity()))
    const chunks = chunked(argsList, chunksize)
    const inFlight = new Map<number, Promise<Settled>>()
    const finished = new Map<number, Json[]>()
    let submitted = 0
    let nextToYield = 0
    let exhausted = false

    const fill = () => {
      while (!exhausted && inFlight.size + finished.size < window) {
        const next = chunks.next()
        if (next.done) {
          exhausted = true
          return
        }
        for (const [i, args] of next.value.entries())
          checkArgs(args, `item ${submitted * chunksize + i}`)
        inFlight.set(submitted, this.submit(submitted, { task, argsList: next.value }))
        submitted++
      }
    }

    fill()
    while (inFlight.size > 0) {
      const settled = await Promise.race(inFlight.values())
      inFlight.delete(settled.index)
      const results = this.resultsOf(settled)
      if (!ordered) {
        yield* results
      } else {
        finished.set(settled.index, results)
        for (let ready = finished.get(nextToYield); ready; ready = finished.get(nextToYield)) {
          finished.delete(nextToYield++)
          yield* ready
        }
      }
      fill()
    }
  }

  /** Sends one chunk; the promise never rejects, so an abandoned stream leaves nothing unhandled. */
  private submit(index: number, request: { task: string; argsList: Json[][] }): Promise<Settled> {
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

  private checkRunning(): void {
    if (this.state !== 'running')
      throw new ValueError(`the pool is ${this.state}: it takes no new work`)
  }

  private checkItems<T>(items: Iterable<T>): Iterable<T> {
    if (items === null || typeof (items as Iterable<T>)?.[Symbol.iterator] !== 'function') {
      throw new RedprocTypeError('items must be iterable (an array, a Set, a generator…)')
    }
    return items
  }
}

function* mapArgs(items: Iterable<Json>): Generator<Json[]> {
  for (const item of items) yield [item]
}

function checkArgs(args: Json[], what: string): Json[] {
  if (!Array.isArray(args)) throw new RedprocTypeError(`${what} must be an array of arguments`)
  encode(args, what)
  return args
}
