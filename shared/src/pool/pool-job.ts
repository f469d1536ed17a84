import type { Json } from '../codec.js'
import type { Context } from '../context.js'
import type { ChunkOutcome, ChunkRequest } from './chunk.js'

/** One chunk on its way from a redis-backed pool to a serving process. */
export type PoolJob = ChunkRequest & {
  /** The pool that sent it: where the reply goes. */
  pool: string
  /** The chunk's number within that pool. */
  chunk: number
}

/** One call of a task, as a job put over HTTP: `args` spread over the task's parameters. */
export type CallJob = {
  task: string
  args: Json[]
}

/**
 * What a serving process takes from its queue: a pool's chunk or a single
 * call. The one wire format of the queue: both run the same way, and both
 * end with their outcome stored in the job (a chunk's reply also goes to its
 * pool), so a pool's work can be watched and joined like any job.
 */
export type Job = PoolJob | CallJob

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

export function isPoolJob(job: unknown): job is PoolJob {
  const candidate = job as Partial<PoolJob> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.pool === 'string' &&
    typeof candidate.chunk === 'number' &&
    typeof candidate.task === 'string' &&
    Array.isArray(candidate.items)
  )
}

export function isCallJob(job: unknown): job is CallJob {
  const candidate = job as Partial<CallJob> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.task === 'string' &&
    Array.isArray(candidate.args)
  )
}
