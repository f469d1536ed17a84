import type { Json } from '../codec.js'
import { chunked } from './chunking.js'
import { checkJson } from './json-check.js'
import type { ChunkOutcome, ChunkRequest } from './wire.js'

/** One call's items on their way to the workers. */
export interface Stream {
  task: string
  items: Iterable<Json>
  /** Each item is a list of arguments (starmap). */
  spread: boolean
  chunksize: number
  ordered: boolean
  /** Items read lazily, checked as their chunk goes out (imap). */
  unchecked?: boolean
  /** The longest one item may run, ms. */
  timeout?: number
  /** Told how many items are done, as each chunk comes back. */
  onProgress?: (done: number) => void
}

/** What became of one chunk: its outcome, or why it has none (a failed send, an input that threw). */
export type Settled = { index: number; outcome: ChunkOutcome } | { index: number; error: unknown }

/**
 * The engine under every pool method: chunks go out lazily, at most
 * `inFlightAtMost` of them in flight (or done and waiting for their turn), so
 * a million-item imap holds a few chunks, not a million. It yields each
 * chunk's results — in order, or as they come — not each result: a map of
 * many small items costs a turn of the event loop per chunk, not per item.
 * `resultsOf` turns a settled chunk into its results or throws its error, so
 * in order an error comes after the results before it, as in Python: an
 * input that throws at item 3 still gives items 0–2 first.
 */
export async function* streamChunks(
  stream: Stream,
  inFlightAtMost: number,
  send: (request: ChunkRequest) => Promise<ChunkOutcome>,
  resultsOf: (settled: Settled) => Json[],
): AsyncGenerator<Json[]> {
  const { task, spread, chunksize, ordered, timeout, onProgress } = stream
  const source = chunked(stream.items, chunksize)
  // Chunks settle into this list; the loop sleeps only while it is empty.
  const arrived: Settled[] = []
  let wake: (() => void) | undefined
  const finished = new Map<number, Settled>()
  let inFlight = 0
  let submitted = 0
  let nextToYield = 0
  let exhausted = false
  let done = 0

  const settle = (settled: Settled) => {
    arrived.push(settled)
    wake?.()
  }

  const fill = () => {
    while (!exhausted && inFlight + finished.size < inFlightAtMost) {
      const index = submitted
      let items: Json[]
      try {
        const next = source.next()
        if (next.done) {
          exhausted = true
          return
        }
        items = next.value
        if (stream.unchecked) {
          const first = index * chunksize
          for (let i = 0; i < items.length; i++) checkJson(items[i], () => `item ${first + i}`)
        }
      } catch (error) {
        // The input failed here: its error takes this chunk's place, after the chunks before it.
        exhausted = true
        submitted++
        inFlight++
        settle({ index, error })
        return
      }
      submitted++
      inFlight++
      const request: ChunkRequest = { task, items }
      if (spread) request.spread = true
      if (timeout !== undefined) request.timeout = timeout
      send(request).then(
        (outcome) => settle({ index, outcome }),
        (error: unknown) => settle({ index, error }),
      )
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
      if (onProgress && 'outcome' in settled && settled.outcome.ok) {
        done += settled.outcome.results.length
        onProgress(done)
      }
      if (!ordered) {
        yield resultsOf(settled)
        continue
      }
      finished.set(settled.index, settled)
      for (let ready = finished.get(nextToYield); ready; ready = finished.get(nextToYield)) {
        finished.delete(nextToYield++)
        yield resultsOf(ready)
      }
    }
    fill()
  }
}
