import type { Context } from '../context.js'
import type { ChunkOutcome, ChunkRequest } from './chunk.js'

/** One chunk on its way from a redis-backed pool to a serving process. */
export type PoolJob = ChunkRequest & {
  /** The pool that sent it: where the reply goes. */
  pool: string
  /** The chunk's number within that pool. */
  chunk: number
}

/** What a serving process sends back for a chunk. */
export interface PoolReply {
  chunk: number
  outcome: ChunkOutcome
}

/** Replies wait this long for a pool that stopped listening, then expire. */
export const REPLY_TTL_MS = 3_600_000

/** The keys of one pool: its reply list, and a flag saying it was terminated. */
export function poolKeys(mp: Context, pool: string) {
  const keys = mp.keys('pool', pool)
  return { replies: keys.part('replies'), terminated: keys.part('terminated') }
}
