/**
 * Whether a soak passed: no operation failed, nothing went missing, and
 * memory stayed flat, judged from the first sample after the warm-up to the
 * last, each figure within its limit.
 */
import { clock, type Sample } from './samples.js'
import { BUDGET, KINDS, type Tally } from './traffic.js'

/**
 * How much each figure may grow from the first sample after the warm-up to
 * the last. Each completed job left behind is a key and about 0.4 KB of
 * Redis memory, 40 of them a second at the jobs budget; a key leaked per
 * pool is one a second; a leaked connection is a client. The resident set
 * of a busy Node process saws up and down by up to ~40 MB between major
 * garbage collections (the api's went 124 → 83 → 120 MB in a 2-minute run),
 * so only a larger growth counts.
 */
export const LIMITS = {
  redisUsedMemoryMb: 0.5,
  redisKeys: 50,
  redisClients: 3,
  rssMb: 50,
}

export interface Check {
  figure: string
  unit: string
  start: number
  /** The first sample after the warm-up: what the end is compared with. */
  baseline: number
  end: number
  growth: number
  limit: number
  ok: boolean
}

export function memoryChecks(start: Sample, baseline: Sample, end: Sample): Check[] {
  const check = (figure: string, unit: string, read: (s: Sample) => number, limit: number) => {
    const growth = read(end) - read(baseline)
    return {
      figure,
      unit,
      start: read(start),
      baseline: read(baseline),
      end: read(end),
      growth,
      limit,
      ok: growth <= limit,
    }
  }
  return [
    check('Redis used_memory', 'MB', (s) => s.redis.usedMemoryMb, LIMITS.redisUsedMemoryMb),
    check('Redis keys (DBSIZE)', 'keys', (s) => s.redis.keys, LIMITS.redisKeys),
    check('Redis clients', 'clients', (s) => s.redis.clients, LIMITS.redisClients),
    ...Object.keys(end.rssMb).map((label) =>
      check(`RSS ${label}`, 'MB', (s) => s.rssMb[label] ?? 0, LIMITS.rssMb),
    ),
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
  samples: { start: Sample; baseline: Sample; end: Sample },
): string {
  const seconds = samples.end.atMs / 1000
  const digits = (unit: string) => (unit === 'MB' ? 2 : 0)
  const memory = table(
    ['figure', 'start', `${clock(samples.baseline.atMs)}`, 'end', 'growth', 'limit', ''],
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
    `Memory (the end is compared with ${clock(samples.baseline.atMs)}, the first sample after the warm-up)`,
    memory,
    '',
    `Traffic over ${clock(samples.end.atMs)}`,
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
