import type { BenchEnv } from './workload.js'

/** The payload every contender moves: a small JSON object per item. */
export function makeItems(n: number): Array<{ n: number }> {
  return Array.from({ length: n }, (_, i) => ({ n: i }))
}

/** How long one contender run may take before it counts as failed. */
export function runTimeoutMs(env: BenchEnv): number {
  return env.quick ? 60_000 : 300_000
}
