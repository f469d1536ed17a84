/**
 * Whether a soak passed: no operation failed, nothing went missing, and
 * memory stayed flat, judged from the first sample after the warm-up to the
 * last, each figure within its limit.
 */
import { clock, type Sample } from './samples.js'
import { BUDGET, KINDS, type Tally } from './traffic.js'

/**
 * How much each figure may grow by the last sample. Each completed job left
 * behind is a key and about 1 KB of Redis memory, 40 of them a second at
 * the jobs budget; a key leaked per pool is one a second; a leaked
 * connection is a client. The resident set of a busy Node process saws up
 * and down by up to ~50 MB between major garbage collections (the api's went
 * 91 → 142 → 91 MB in a 2-minute run), so RSS is compared with its highest
 * sample up to the end of the warm-up, which leaves the growth of the
 * sawtooth's first cycles (≤ 15 MB seen) as noise.
 */
export const LIMITS = {
  redisUsedMemoryMb: 0.5,
  redisKeys: 50,
  redisClients: 3,
  rssMb: 30,
}

export interface Check {
  figure: string
  unit: string
  start: number
  /**
   * What the end is compared with: the first sample after the warm-up, for
   * RSS the highest sample up to it.
   */
  baseline: number
  end: number
  growth: number
  limit: number
  ok: boolean
}

/** The checks of memory, from `samples` (the first taken before the traffic) and the index of the first after the warm-up. */
export function memoryChecks(samples: Sample[], baselineIndex: number): Check[] {
  const start = samples[0] as Sample
  const end = samples.at(-1) as Sample
  const upToBaseline = samples.slice(0, baselineIndex + 1)
  const check = (
    figure: string,
    unit: string,
    read: (s: Sample) => number,
    baseline: number,
    limit: number,
  ) => {
    const growth = read(end) - baseline
    return {
      figure,
      unit,
      start: read(start),
      baseline,
      end: read(end),
      growth,
      limit,
      ok: growth <= limit,
    }
  }
  const at = (read: (s: Sample) => number) => read(samples[baselineIndex] as Sample)
  const usedMemory = (s: Sample) => s.redis.usedMemoryMb
  const keys = (s: Sample) => s.redis.keys
  const clients = (s: Sample) => s.redis.clients
  return [
    check('Redis used_memory', 'MB', usedMemory, at(usedMemory), LIMITS.redisUsedMemoryMb),
    check('Redis keys (DBSIZE)', 'keys', keys, at(keys), LIMITS.redisKeys),
    check('Redis clients', 'clients', clients, at(clients), LIMITS.redisClients),
    ...Object.keys(end.rssMb).map((label) => {
      const rss = (s: Sample) => s.rssMb[label] ?? 0
      return check(`RSS ${label}`, 'MB', rss, Math.max(...upToBaseline.map(rss)), LIMITS.rssMb)
    }),
  ]
}

export interface Verdict {
  checks: Check[]
  /** Failed operations, missing jobs, service warnings and exits: each fails the run. */
  problems: string[]
  ok: boolean
}

export function judge(checks: Check[], tally: Tally, problems: string[]): Verdict {
  const all = [...tally.firstErrors, ...problems]
  if (tally.errorCount > tally.firstErrors.length)
    all.push(`… ${tally.errorCount - tally.firstErrors.length} more failed operations`)
  return { checks, problems: all, ok: all.length === 0 && checks.every((c) => c.ok) }
}

/** The table printed at the end: memory start → end, operations by kind, problems, verdict. */
export function summary(
  verdict: Verdict,
  tally: Tally,
  baselineAtMs: number,
  endAtMs: number,
): string {
  const seconds = endAtMs / 1000
  const digits = (unit: string) => (unit === 'MB' ? 2 : 0)
  const memory = table(
    ['figure', 'start', 'compared with', 'end', 'growth', 'limit', ''],
    verdict.checks.map((c) => [
      c.figure,
      `${c.start.toFixed(digits(c.unit))}`,
      `${c.baseline.toFixed(digits(c.unit))}`,
      `${c.end.toFixed(digits(c.unit))} ${c.unit}`,
      `${c.growth >= 0 ? '+' : ''}${c.growth.toFixed(digits(c.unit))}`,
      `≤ ${c.limit}`,
      c.ok ? 'ok' : 'GREW',
    ]),
  )
  const traffic = table(
    ['kind', 'total', 'per second', 'budget', 'errors'],
    KINDS.map((kind) => [
      kind,
      `${tally.ops[kind].toLocaleString('en-US')} ${BUDGET[kind].unit}`,
      (tally.ops[kind] / seconds).toFixed(1),
      String(BUDGET[kind].perSecond),
      String(tally.errors[kind]),
    ]),
  )
  return [
    `Memory: the end against the sample at ${clock(baselineAtMs)}, the first after the warm-up (RSS: against the highest sample up to then)`,
    memory,
    '',
    `Traffic over ${clock(endAtMs)}`,
    traffic,
    '',
    ...verdict.problems.map((p) => `problem: ${p}`),
    verdict.ok
      ? 'verdict: flat memory, no failed operation'
      : `verdict: FAILED (${[
          ...(verdict.checks.some((c) => !c.ok) ? ['memory grew'] : []),
          ...(verdict.problems.length > 0 ? [`${verdict.problems.length} problems`] : []),
        ].join(', ')})`,
  ].join('\n')
}

/** Columns padded to their widths; the first left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
