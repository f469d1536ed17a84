import { hostname } from 'node:os'
import type { Json } from '../codec.js'
import type { RemoteFailure } from '../errors.js'
import type { RedisClient } from '../redis/client.js'
import { KEY_PARTS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'

/**
 * What a pool's work looks like wherever it crosses a boundary — to a worker
 * thread or child process, through a joinable queue to a serving process,
 * and back on the pool's reply list — and the flag that says a pool was
 * terminated. Both ends of the Redis wire read and write it here only.
 */

/**
 * A pool's unit of work: one task applied to several items. Each item is the
 * task's one argument (`map`), or with `spread` a list of arguments
 * (`starmap`): a map's chunk then travels as a flat array, which crosses a
 * thread or a socket several times faster than an array of one-item arrays.
 */
export type ChunkRequest = {
  task: string
  items: Json[]
  spread?: boolean
  /** The longest one item may run, ms. */
  timeout?: number
}

export type ChunkOutcome = { ok: true; results: Json[] } | { ok: false; failure: RemoteFailure }

/** A failed chunk, as every runner reports it: where it ran is the process (and thread) given. */
export function chunkFailed(
  task: string,
  code: RemoteFailure['code'],
  message: string,
  where: { pid: number; threadId: number },
): { ok: false; failure: RemoteFailure } {
  return {
    ok: false,
    failure: { code, message, task, host: hostname(), pid: where.pid, threadId: where.threadId },
  }
}

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

/** Replies (and the terminated flag) wait this long for a pool that stopped listening, then expire. */
export const REPLY_TTL_MS = 3_600_000

export function isPoolJob(job: unknown): job is PoolJob {
  const candidate = job as Partial<PoolJob> | null
  return (
    namesTask(candidate) &&
    typeof candidate.pool === 'string' &&
    typeof candidate.chunk === 'number' &&
    Array.isArray(candidate.items)
  )
}

export function isCallJob(job: unknown): job is CallJob {
  const candidate = job as Partial<CallJob> | null
  return namesTask(candidate) && Array.isArray(candidate.args)
}

/** A job of some kind: an object naming its task. */
function namesTask<T extends { task?: unknown }>(
  candidate: T | null,
): candidate is T & { task: string } {
  return typeof candidate === 'object' && candidate !== null && typeof candidate.task === 'string'
}

/** The keys of one pool: its reply list, and a flag saying it was terminated. */
export function poolKeys(mp: Scope, pool: string) {
  const keys = mp.keys('pool', pool)
  return {
    replies: keys.part(KEY_PARTS.pool.replies),
    terminated: keys.part(KEY_PARTS.pool.terminated),
  }
}

/**
 * Sends a chunk's reply to its pool in one round trip, with its expiry and
 * whether the pool was terminated meanwhile, which spares the pool's next
 * chunk a round trip of its own.
 */
export async function sendReply(mp: Scope, pool: string, reply: PoolReply): Promise<boolean> {
  const keys = poolKeys(mp, pool)
  const results = await mp.redis
    .pipeline()
    .rpush(keys.replies, JSON.stringify(reply))
    .pexpire(keys.replies, REPLY_TTL_MS)
    .exists(keys.terminated)
    .exec()
  const failure = results?.find(([error]) => error)?.[0]
  if (failure) throw failure
  return results?.[2]?.[1] === 1
}

/** Waits up to a second for replies to `pool`, taking at most `count` at once. */
export async function takeReplies(
  mp: Scope,
  client: RedisClient,
  pool: string,
  count: number,
): Promise<PoolReply[]> {
  const popped = (await client.blmpop(1, 1, poolKeys(mp, pool).replies, 'LEFT', 'COUNT', count)) as
    | [string, string[]]
    | null
  return (popped?.[1] ?? []).map((text) => JSON.parse(text) as PoolReply)
}

/** Drops the replies nobody will read. */
export async function dropReplies(mp: Scope, pool: string): Promise<void> {
  await mp.redis.del(poolKeys(mp, pool).replies)
}

/** Marks `pool` terminated, so serving processes skip its chunks that have not started. */
export async function markTerminated(mp: Scope, pool: string): Promise<void> {
  await mp.redis.set(poolKeys(mp, pool).terminated, '1', 'PX', REPLY_TTL_MS)
}

/**
 * How long a serving process trusts what it last learned of a pool's
 * termination before it asks Redis again. Each reply it sends brings a fresh
 * answer in the same round trip, so a busy pool's next chunk needs no round
 * trip of its own; a chunk may start this long after its pool was terminated.
 */
export const TERMINATION_FRESH_MS = 25

/** Entries kept past this many pools are dropped once stale. */
const MAX_TERMINATIONS = 256

/**
 * What one serving process knows of which pools were terminated, so that it
 * skips their chunks that have not started, without a Redis round trip per
 * chunk while a pool streams.
 */
export class Terminations {
  private readonly known = new Map<string, { terminated: boolean; at: number }>()

  constructor(private readonly mp: Scope) {}

  /** Whether `pool` was terminated, as of at most TERMINATION_FRESH_MS ago. */
  async terminated(pool: string): Promise<boolean> {
    const entry = this.known.get(pool)
    if (entry && (entry.terminated || performance.now() - entry.at < TERMINATION_FRESH_MS))
      return entry.terminated
    const flag = await this.mp.redis.exists(poolKeys(this.mp, pool).terminated)
    this.note(pool, flag === 1)
    return flag === 1
  }

  /** Sends a chunk's reply, and notes whether its pool was terminated, learned on the way. */
  async reply(pool: string, reply: PoolReply): Promise<void> {
    this.note(pool, await sendReply(this.mp, pool, reply))
  }

  /** Records an answer read in another round trip (EXISTS of the pool's terminated key). */
  note(pool: string, terminated: boolean): void {
    const now = performance.now()
    this.known.delete(pool)
    this.known.set(pool, { terminated, at: now })
    if (this.known.size <= MAX_TERMINATIONS) return
    // Oldest first (insertion order): drop what is stale anyway.
    for (const [name, entry] of this.known) {
      if (this.known.size <= MAX_TERMINATIONS || now - entry.at < TERMINATION_FRESH_MS) break
      this.known.delete(name)
    }
  }
}
