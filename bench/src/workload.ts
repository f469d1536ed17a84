/**
 * A workload is one question ("how fast does a joinable queue move N items?")
 * put to several contenders on the same Redis in the same run. The first
 * contender is redproc; ratios are redproc / each other contender.
 */

export interface BenchEnv {
  /** The private Redis every contender of this run uses. */
  redisUrl: string
  /** Items per run; smaller with --quick. */
  n: number
  quick: boolean
  /** A fresh prefix per contender run, so no run sees another's keys. */
  runId: string
  /** The port of `redisUrl`, for command-line tools such as `redis-benchmark`. */
  redisPort: number
  /** The Python 3 interpreter of the Python contenders. */
  python: string
}

export interface Metric {
  key: string
  /** Shown beside the figure: 'items/s', 'ops/s', 'ms', 'MB'. */
  unit: string
  better: 'higher' | 'lower'
  /** A readable name for the report. @default key */
  label?: string
  /** Whether redproc / contender means anything (not for figures near or below zero). @default true */
  ratio?: boolean
}

export interface Contender {
  name: string
  /** How this contender does the job, for the report. */
  note?: string
  /** Measures once; returns a figure for each metric of the workload it knows. */
  run(env: BenchEnv): Promise<Record<string, number>>
}

export interface Workload {
  id: string
  title: string
  metrics: Metric[]
  /** redproc first. */
  contenders: Contender[]
  /** Items per run, when not the default N. */
  n?: number
  /** What exactly is measured, for the report. */
  description?: string
  /**
   * Operations one item costs a contender in a run (a dict run sets and gets
   * each item twice: 4), to turn Redis command counts into counts per operation.
   * @default 1
   */
  opsPerItem?: number
}
