import type { Json } from '../codec.js'
import { checkOptions, option, type Schema } from '../options.js'
import type { Scope } from '../redis/scope.js'
import { Connection } from './connection.js'

export interface PipeOptions {
  /**
   * Both ends send and receive. When false, as in Python's `Pipe(False)`
   * which returns `(r, w)`: end 0 only receives, end 1 only sends. Every
   * handle of a pipe must be opened with the same value.
   * @default true
   */
  duplex?: boolean
}

const DEFAULTS = { duplex: true } as const

const SCHEMA: Schema<PipeOptions> = { duplex: option.boolean }

/**
 * `multiprocessing.Pipe(duplex)`: the two ends of the pipe `name`. Nothing
 * touches Redis until an end is used, so opening them is cheap, and any
 * process may open the same pipe and use either end.
 */
export function openPipe<T extends Json = Json>(
  mp: Scope,
  name: string,
  options?: PipeOptions,
): [Connection<T>, Connection<T>] {
  const { duplex = DEFAULTS.duplex } = checkOptions(options, SCHEMA, 'pipe options')
  return [new Connection<T>(mp, name, 0, duplex), new Connection<T>(mp, name, 1, duplex)]
}
