// The tasks module of the pool workload: loaded by the local pool's worker
// threads and by the serving processes, and mirrored in python/pool_map.py.
import { createHash } from 'node:crypto'

/** sha256 rounds per item of the CPU-bound task (passed to the Python contender too). */
export const HASH_ROUNDS = 1000

/** The trivial task: the pool's own cost per item is all there is to measure. */
export function trivial(n: number): number {
  return n + 1
}

/** The CPU-bound task: sha256 over its own hex digest, HASH_ROUNDS times. */
export function hashLoop(n: number): string {
  let digest = String(n)
  for (let i = 0; i < HASH_ROUNDS; i++) digest = createHash('sha256').update(digest).digest('hex')
  return digest
}
