/**
 * Rates of counters over a sliding window: each counter's readings are kept
 * for `windowMs`, and its rate is the rise from the oldest to the newest.
 * A counter that falls (its queue was deleted and made again) starts its
 * window again rather than showing a negative rate.
 */
export class RateWindow {
  private readonly readings = new Map<string, Array<[at: number, value: number]>>()

  constructor(private readonly windowMs: number) {}

  record(counter: string, value: number, at: number): void {
    let series = this.readings.get(counter)
    if (!series || (series.at(-1)?.[1] ?? 0) > value) {
      series = []
      this.readings.set(counter, series)
    }
    series.push([at, value])
    while (series.length > 2 && at - (series[0] as [number, number])[0] > this.windowMs)
      series.shift()
  }

  /** Per second over the window; 0 until there are two readings. */
  perSecond(counter: string): number {
    const series = this.readings.get(counter)
    if (!series || series.length < 2) return 0
    const [firstAt, first] = series[0] as [number, number]
    const [lastAt, last] = series.at(-1) as [number, number]
    return lastAt > firstAt ? ((last - first) * 1000) / (lastAt - firstAt) : 0
  }
}
