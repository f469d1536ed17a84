// The consumer's default tasks, run when no --tasks module is given: the
// seed's `double`, a task that waits like I/O, and one that keeps a CPU busy.
// A tasks module of your own is an ES module whose named exports are tasks.
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

/** The seed's task. */
export function double(n: number): number {
  return n * 2
}

/** Waits `ms` as a call to another service would, then answers with `value`. */
export async function io(ms: number, value: unknown = null): Promise<unknown> {
  await sleep(ms)
  return value
}

/**
 * Keeps this thread busy for `ms`, hashing: the event loop is blocked all
 * along. Run CPU-bound tasks with --threads so that leases stay renewed.
 */
export function cpu(ms: number): number {
  const end = performance.now() + ms
  let rounds = 0
  let digest = 'redproc'
  while (performance.now() < end) {
    digest = createHash('sha256').update(digest).digest('hex')
    rounds++
  }
  return rounds
}

/** Fails with `message`: to see a failed job's error and stack. */
export function fail(message: string): never {
  throw new Error(message)
}
