/** The run's report: a console table, bench/RESULTS.md and the raw JSON. */
import { basename } from 'node:path'
import { redisWorkPerOp, usedRedis, workCommands } from './redis-work.js'
import type { RunRecord } from './runner.js'
import { formatNumber } from './runner.js'
import type { Cell, Summary } from './summary.js'
import type { TargetResult } from './targets.js'

export interface PendingWorkload {
  number: number
  title: string
  reason: string
}

export interface RunInfo {
  date: Date
  command: string
  quick: boolean
  runs: number
  versions: Record<string, string>
  machine: { cpus: string; loadBefore: number[]; loadAfter: number[] }
  numbers: Map<string, number>
  jsonPath: string
}

export function consoleTable(summaries: Summary[]): string {
  const lines: string[] = []
  for (const summary of summaries) {
    lines.push('', `${summary.workload.title} (N = ${summary.n.toLocaleString('en-US')})`)
    const rows = summary.workload.metrics.flatMap((metric) =>
      summary.cells
        .filter((c) => c.metric === metric.key)
        .map((cell) => [
          cell.contenderIndex === 0 ? metricName(summary, cell) : '',
          cell.contender,
          cellMedian(cell, metric.unit),
          cellRange(cell),
          cell.ratio === undefined ? '' : `${cell.ratio.toFixed(2)}×`,
        ]),
    )
    const header = ['metric', 'contender', 'median', 'min–max', 'redproc / this']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
    const format = (row: string[]) => row.map((value, i) => value.padEnd(widths[i] ?? 0)).join('  ')
    lines.push(format(header), ...rows.map(format))
    for (const contender of summary.contenders)
      if (contender.failures.length > 0)
        lines.push(`  ${contender.name} failed: ${contender.failures[0]?.split('\n')[0]}`)
  }
  return lines.join('\n')
}

export function targetsTable(results: TargetResult[]): string {
  return results
    .map((r) => `${r.status.padEnd(12)} ${r.shown.padEnd(12)} ${r.target.text}`)
    .join('\n')
}

export function markdown(
  summaries: Summary[],
  targets: TargetResult[],
  pending: PendingWorkload[],
  info: RunInfo,
): string {
  const out: string[] = []
  const when = info.date.toISOString().replace('T', ' ').slice(0, 16)
  out.push('# redproc benchmarks', '')
  if (info.quick)
    out.push(
      '> **Quick smoke run** (`--quick`): small N, so start-up costs weigh heavily and the figures are not representative. The committed report comes from a full `npm run bench` on a quiet machine.',
      '',
    )
  out.push(
    `Generated ${when} UTC by \`${info.command}\`: every workload's contenders interleaved run by run (A, B, A, B …), ${info.runs} run${info.runs === 1 ? '' : 's'} each, on one private redis-server without persistence. Figures are medians with the min–max of the runs; **redproc / this** is redproc's median divided by the contender's, so above 1 means redproc is higher (better for rates, worse for times and memory). Raw figures, Redis command counts and leftovers per run: [\`${info.jsonPath}\`](${info.jsonPath}).`,
    '',
    `Machine: ${info.machine.cpus}; load average ${loads(info.machine.loadBefore)} before, ${loads(info.machine.loadAfter)} after. Versions: ${Object.entries(
      info.versions,
    )
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    '## Targets',
    '',
    ...markdownTable(
      ['target', 'measured', 'result'],
      ['left', 'left', 'left'],
      targets.map((t) => [t.target.text, t.shown, statusMark(t)]),
    ),
    '',
  )
  const misses = targets.filter((t) => t.status === 'miss')
  if (misses.length > 0) {
    out.push('### Where the time goes, for each miss', '')
    for (const miss of misses) {
      const summary = summaries.find((s) => s.workload.id === miss.target.workload)
      if (summary)
        out.push(`- **${miss.target.text}** (${miss.shown}): ${whereItGoes(summary, miss)}`)
    }
    out.push('')
  }
  for (const summary of summaries) {
    const number = info.numbers.get(summary.workload.id)
    out.push(
      `## ${number ? `${number}. ` : ''}${summary.workload.title} (N = ${summary.n.toLocaleString('en-US')})`,
      '',
    )
    if (summary.workload.description) out.push(summary.workload.description, '')
    for (const contender of summary.contenders)
      out.push(`- **${contender.name}**${contender.note ? `: ${contender.note}` : ''}`)
    const rows = summary.workload.metrics.flatMap((metric) =>
      summary.cells
        .filter((c) => c.metric === metric.key)
        .map((cell) => [
          cell.contenderIndex === 0 ? metricName(summary, cell) : '',
          cell.contender,
          cellMedian(cell, metric.unit),
          cellRange(cell),
          cell.ratio === undefined ? '' : `${cell.ratio.toFixed(2)}×`,
        ]),
    )
    out.push(
      '',
      ...markdownTable(
        ['metric', 'contender', 'median', 'min–max', 'redproc / this'],
        ['left', 'left', 'right', 'right', 'right'],
        rows,
      ),
      '',
    )
    const failures = summary.contenders.filter((c) => c.failures.length > 0)
    for (const contender of failures)
      out.push(
        `${contender.name} failed ${contender.failures.length} of ${info.runs} runs: \`${contender.failures[0]?.split('\n')[0]}\``,
        '',
      )
    const counts = summary.contenders.flatMap((c) =>
      usedRedis(c.typical) ? [`- ${c.name}: ${commandLine(c.typical)}`] : [],
    )
    if (counts.length > 0)
      out.push(
        `Redis work per operation (${(summary.workload.opsPerItem ?? 1) === 1 ? 'one operation per item' : `${summary.workload.opsPerItem} operations per item`}; commands run inside Lua scripts count too), in the median run:`,
        '',
        ...counts,
        '',
      )
  }
  if (pending.length > 0) {
    out.push('## Not yet measured', '')
    for (const p of pending) out.push(`- ${p.number}. ${p.title}: not yet measured: ${p.reason}.`)
    out.push('')
  }
  return out.join('\n')
}

/** Redis command counts, Redis CPU and client CPU of the typical runs of redproc and the rival. */
function whereItGoes(summary: Summary, miss: TargetResult): string {
  const parts: string[] = []
  const compared = miss.target.of ?? summary.workload.contenders[0]?.name ?? 'redproc'
  const names = [compared, miss.target.against].filter((n): n is string => Boolean(n))
  const runs = names.map((name) => summary.contenders.find((c) => c.name === name)?.typical)
  names.forEach((name, i) => {
    const typical = runs[i]
    if (!typical) return
    if (miss.target.workload === 'memory') parts.push(`${name}: ${leftoverLine(typical)}`)
    else if (usedRedis(typical))
      parts.push(`${name}: ${commandLine(typical)}; ${cpuLine(typical)}${profileLine(typical)}`)
    else parts.push(`${name}: no Redis; ${cpuLine(typical)}${profileLine(typical)}`)
  })
  const [ours, theirs] = runs
  if (miss.target.workload !== 'memory' && usedRedis(ours) && usedRedis(theirs))
    parts.unshift(
      `${names[0]} sends ${ratioOf(redisWorkPerOp(ours).calls, redisWorkPerOp(theirs).calls)} the Redis commands and costs Redis ${ratioOf(redisWorkPerOp(ours).cpuUs, redisWorkPerOp(theirs).cpuUs)} the CPU time per operation of ${miss.target.against}`,
    )
  return parts.join('. ') || 'no run succeeded'
}

function ratioOf(a: number, b: number): string {
  return `${(a / b).toFixed(1)}×`
}

function commandLine(run: RunRecord): string {
  const { calls, cpuUs } = redisWorkPerOp(run)
  const top = workCommands(run)
    .filter(([, s]) => s.calls / run.n >= 0.005)
    .sort((a, b) => b[1].calls - a[1].calls)
    .slice(0, 6)
    .map(([name, s]) => `${name} ${(s.calls / run.n).toFixed(2)}`)
    .join(', ')
  return `${calls.toFixed(2)} Redis commands per operation (${top}), ${cpuUs.toFixed(1)} µs of Redis CPU per operation (INFO cpu)`
}

function cpuLine(run: RunRecord): string {
  const share = (ms: number) => `${Math.round(ms)} ms (${Math.round((ms / run.wallMs) * 100)}%)`
  const parts = [
    `Redis CPU ${share(run.redisCpuMs)}`,
    `benchmark process CPU ${share(run.benchCpuMs)}`,
  ]
  if (run.values.consumerCpuMs !== undefined)
    parts.push(`consumer processes CPU ${share(run.values.consumerCpuMs)}`)
  return `${parts.join(', ')} in a ${(run.wallMs / 1000).toFixed(2)} s run (process start-up included)`
}

/** The hottest functions of each process of the run, when it was profiled. */
function profileLine(run: RunRecord): string {
  if (!run.profiles || run.profiles.length === 0) return ''
  const processes = run.profiles.map((p) => {
    const name = basename(p.file, '.cpuprofile')
    const top = p.top
      .slice(0, 3)
      .map((f) => `${f.name} ${f.selfPct.toFixed(0)}%`)
      .join(', ')
    return `${name}: ${top}`
  })
  return `; hottest functions (self time): ${processes.join('; ')}`
}

function leftoverLine(run: RunRecord): string {
  if (run.leftovers.keys === 0) return 'left no keys behind'
  const shapes = Object.entries(run.leftovers.byShape)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 5)
    .map(([shape, s]) => `\`${shape}\` ×${s.keys} ≈ ${size(s.bytes)}`)
    .join(', ')
  return `left ${run.leftovers.keys} keys ≈ ${size(run.leftovers.bytes)} behind (${shapes})`
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} KB`
}

/** A table with padded columns, as the repository's formatter writes them. */
function markdownTable(
  header: string[],
  align: Array<'left' | 'right'>,
  rows: string[][],
): string[] {
  const width = (text: string) => [...text].length
  const widths = header.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i] ?? ''))))
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat((widths[i] ?? 0) - width(text))
    return align[i] === 'right' ? fill + text : text + fill
  }
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`
  const rule = widths.map((w, i) =>
    align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w),
  )
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)]
}

function metricName(summary: Summary, cell: Cell): string {
  const metric = summary.workload.metrics.find((m) => m.key === cell.metric)
  const name = metric?.label ?? cell.metric
  return metric?.better === 'lower'
    ? `${name} (${metric.unit}, lower is better)`
    : `${name} (${metric?.unit})`
}

function cellMedian(cell: Cell, _unit: string): string {
  if (cell.notApplicable) return '—'
  if (cell.median === undefined) return 'failed'
  return formatNumber(cell.median)
}

function cellRange(cell: Cell): string {
  if (cell.min === undefined || cell.max === undefined) return ''
  return `${formatNumber(cell.min)}–${formatNumber(cell.max)}`
}

function statusMark(t: TargetResult): string {
  return t.status === 'miss' || t.status === 'failed' ? `**${t.status}**` : t.status
}

function loads(values: number[]): string {
  return values.map((v) => v.toFixed(2)).join(' / ')
}
