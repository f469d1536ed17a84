import type { Json } from '../codec.js'

/**
 * Python's rule for `map`'s default chunksize: about four chunks per worker,
 * so the last chunks are small enough to spread the tail of the work.
 */
export function defaultChunksize(items: number, workers: number): number {
  const perFourChunks = Math.max(workers, 1) * 4
  const size = Math.floor(items / perFourChunks)
  return items % perFourChunks === 0 ? Math.max(size, 1) : size + 1
}

/** Cuts a (possibly endless) sequence into arrays of `size`, lazily. */
export function* chunked(items: Iterable<Json[]>, size: number): Generator<Json[][]> {
  let chunk: Json[][] = []
  for (const item of items) {
    chunk.push(item)
    if (chunk.length === size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}
