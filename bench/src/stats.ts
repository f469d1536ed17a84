/** Small order statistics for a handful of runs or many latencies. */

export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** The p-th percentile by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values)
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values)
}

/** Items per second for `count` items done in `elapsedMs`. */
export function perSecond(count: number, elapsedMs: number): number {
  return (count * 1000) / Math.max(elapsedMs, 0.001)
}

/** Runs `task` `total` times with at most `callers` of them in flight at once. */
export async function withCallers(
  total: number,
  callers: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0
  const caller = async () => {
    while (next < total) {
      const index = next++
      await task(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(callers, total) }, caller))
}

/** Runs `task` `total` times one after the other and returns each call's latency in ms. */
export async function timedSequence(
  total: number,
  task: (index: number) => Promise<unknown>,
): Promise<number[]> {
  const latencies = new Array<number>(total)
  for (let i = 0; i < total; i++) {
    const started = performance.now()
    await task(i)
    latencies[i] = performance.now() - started
  }
  return latencies
}
