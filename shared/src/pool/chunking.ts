/**
 * Python's rule for `map`'s default chunksize: about four chunks per worker,
 * so the last chunks are small enough to spread the tail of the work.
 */
export function defaultChunksize(items: number, workers: number): number {
  const perFourChunks = Math.max(workers, 1) * 4
  const size = Math.floor(items / perFourChunks)
  return items % perFourChunks === 0 ? Math.max(size, 1) : size + 1
}

/** Cuts a (possibly endless) sequence into arrays of `size`, lazily; an array by slicing. */
export function* chunked<T>(items: Iterable<T>, size: number): Generator<T[]> {
  if (Array.isArray(items)) {
    // concat copies into a packed array even from a holey one (`Array.from({ length })`
    // makes those), and a packed array crosses to a worker thread much faster.
    for (let start = 0; start < items.length; start += size)
      yield ([] as T[]).concat(items.slice(start, start + size))
    return
  }
  let chunk: T[] = []
  for (const item of items) {
    chunk.push(item)
    if (chunk.length === size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}
