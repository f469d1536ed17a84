import type { Context } from '../context.js'
import { poolKeys } from './pool-job.js'

/**
 * How long a serving process trusts what it last learned of a pool's
 * termination before it asks Redis again. Each reply it sends brings a fresh
 * answer in the same round trip, so a busy pool's next chunk needs no round
 * trip of its own; a chunk may start this long after its pool was terminated.
 */
export const TERMINATION_FRESH_MS = 25

/** Entries kept past this many pools are dropped once stale. */
const MAX_ENTRIES = 256

/**
 * What one serving process knows of which pools were terminated, so that it
 * skips their chunks that have not started, without a Redis round trip per
 * chunk while a pool streams.
 */
export class Terminations {
  private readonly known = new Map<string, { terminated: boolean; at: number }>()

  constructor(private readonly mp: Context) {}

  /** Whether `pool` was terminated, as of at most TERMINATION_FRESH_MS ago. */
  async terminated(pool: string): Promise<boolean> {
    const entry = this.known.get(pool)
    if (entry && (entry.terminated || performance.now() - entry.at < TERMINATION_FRESH_MS))
      return entry.terminated
    const flag = await this.mp.redis.exists(poolKeys(this.mp, pool).terminated)
    this.note(pool, flag === 1)
    return flag === 1
  }

  /** Records an answer read in another round trip (EXISTS of the pool's terminated key). */
  note(pool: string, terminated: boolean): void {
    const now = performance.now()
    this.known.delete(pool)
    this.known.set(pool, { terminated, at: now })
    if (this.known.size <= MAX_ENTRIES) return
    // Oldest first (insertion order): drop what is stale anyway.
    for (const [name, entry] of this.known) {
      if (this.known.size <= MAX_ENTRIES || now - entry.at < TERMINATION_FRESH_MS) break
      this.known.delete(name)
    }
  }
}
