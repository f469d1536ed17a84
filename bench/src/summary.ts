/** Medians, ranges and ratios of a workload's runs. */
import type { RunRecord, WorkloadResult } from './runner.js'
import { max, median, min } from './stats.js'
import type { Workload } from './workload.js'

export interface Cell {
  metric: string
  contender: string
  contenderIndex: number
  /** Figures of the runs that succeeded. */
  values: number[]
  /** Runs succeeded but none reported this figure: it does not apply (Redis work of a contender without Redis). */
  notApplicable?: boolean
  median?: number
  min?: number
  max?: number
  /** redproc's median / this contender's median. */
  ratio?: number
}

export interface ContenderSummary {
  name: string
  note?: string
  failures: string[]
  /** The run whose first figure is the median one: the run to read command counts from. */
  typical?: RunRecord
}

export interface Summary {
  workload: Workload
  n: number
  runs: RunRecord[]
  cells: Cell[]
  contenders: ContenderSummary[]
}

export function summarize(result: WorkloadResult): Summary {
  const { workload, runs, n } = result
  const cells: Cell[] = []
  for (const metric of workload.metrics) {
    const row: Cell[] = workload.contenders.map((contender, contenderIndex) => {
      const succeeded = runs.filter((r) => r.ok && r.contender === contender.name)
      const values = succeeded
        .map((r) => r.values[metric.key])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
      const cell: Cell = { metric: metric.key, contender: contender.name, contenderIndex, values }
      if (succeeded.length > 0 && succeeded.every((r) => r.values[metric.key] === undefined)) {
        cell.notApplicable = true
      } else if (values.length > 0) {
        cell.median = median(values)
        cell.min = min(values)
        cell.max = max(values)
      }
      return cell
    })
    const redproc = metric.ratio === false ? undefined : row[0]?.median
    for (const cell of row.slice(1))
      if (redproc !== undefined && cell.median) cell.ratio = redproc / cell.median
    cells.push(...row)
  }
  const firstMetric = workload.metrics[0]?.key
  const contenders = workload.contenders.map((contender) => {
    const own = runs.filter((r) => r.contender === contender.name)
    const ok = own.filter((r) => r.ok)
    const byFigure = [...ok].sort(
      (a, b) => (a.values[firstMetric ?? ''] ?? 0) - (b.values[firstMetric ?? ''] ?? 0),
    )
    const summary: ContenderSummary = {
      name: contender.name,
      failures: own.filter((r) => !r.ok).map((r) => r.error ?? 'failed'),
    }
    if (contender.note) summary.note = contender.note
    const typical = byFigure[Math.floor((byFigure.length - 1) / 2)]
    if (typical) summary.typical = typical
    return summary
  })
  return { workload, n, runs, cells, contenders }
}
