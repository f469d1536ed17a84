/**
 * The goals the benchmark reports against, as ratios in the same run or as
 * absolute bounds, and their evaluation against a run's medians.
 */
import type { Summary } from './summary.js'

export interface Target {
  text: string
  workload: string
  metric: string
  /** The contender whose figure is compared: the ratio's numerator. @default the workload's first (redproc) */
  of?: string
  /** The contender of the ratio redproc / contender; none for a bound on redproc's own figure. */
  against?: string
  atLeast?: number
  atMost?: number
}

export const TARGETS: Target[] = [
  {
    text: 'Manager dict set over the network (api, HTTP) ≥ 1.0× Python BaseManager',
    workload: 'manager-http',
    metric: 'setRate',
    against: 'Python BaseManager',
    atLeast: 1,
  },
  {
    text: 'Manager dict get over the network (api, HTTP) ≥ 1.0× Python BaseManager',
    workload: 'manager-http',
    metric: 'getRate',
    against: 'Python BaseManager',
    atLeast: 1,
  },
  {
    text: 'Manager dict set through RemoteManager ≥ 1.0× Python BaseManager',
    workload: 'manager-http',
    metric: 'setRate',
    of: 'RemoteManager',
    against: 'Python BaseManager',
    atLeast: 1,
  },
  {
    text: 'Jobs over HTTP end to end ≥ 0.5× BullMQ addBulk + Workers',
    workload: 'http',
    metric: 'throughput',
    against: 'BullMQ',
    atLeast: 0.5,
  },
  {
    text: 'Consumer service RSS under HTTP load ≤ 100 MB',
    workload: 'http',
    metric: 'peakRssMb',
    atMost: 100,
  },
  {
    text: 'Joinable queue end to end ≥ 1.0× raw BullMQ',
    workload: 'joinable-queue',
    metric: 'throughput',
    against: 'BullMQ',
    atLeast: 1,
  },
  {
    text: 'Joinable queue end to end ≥ 1.0× bee-queue',
    workload: 'joinable-queue',
    metric: 'throughput',
    against: 'bee-queue',
    atLeast: 1,
  },
  {
    text: 'Plain queue ≥ 0.5× redis-benchmark RPOP at -P 1',
    workload: 'plain-queue',
    metric: 'throughput',
    against: 'redis-benchmark',
    atLeast: 0.5,
  },
  {
    text: 'Joinable queue: ≤ 8 Redis commands per item',
    workload: 'joinable-queue',
    metric: 'redisCommands',
    atMost: 8,
  },
  {
    text: 'Joinable queue: ≤ 7 µs of Redis CPU per item',
    workload: 'joinable-queue',
    metric: 'redisCpuUs',
    atMost: 7,
  },
  {
    text: 'Plain queue ≥ 1.0× a hand-batched ioredis queue',
    workload: 'plain-queue',
    metric: 'throughput',
    against: 'hand-batched ioredis',
    atLeast: 1,
  },
  {
    text: 'Plain queue ≥ 2× the hand-written BRPOP loop',
    workload: 'plain-queue',
    metric: 'throughput',
    against: 'ioredis BRPOP loop',
    atLeast: 2,
  },
  {
    text: 'Dict set, 100 concurrent callers ≥ 5× Python Manager dict',
    workload: 'dict',
    metric: 'setMany',
    against: 'Python Manager dict',
    atLeast: 5,
  },
  {
    text: 'Dict get, 100 concurrent callers ≥ 5× Python Manager dict',
    workload: 'dict',
    metric: 'getMany',
    against: 'Python Manager dict',
    atLeast: 5,
  },
  {
    text: 'Dict set, one awaited op ≥ 0.9× raw ioredis',
    workload: 'dict',
    metric: 'set1',
    against: 'ioredis HSET/HGET',
    atLeast: 0.9,
  },
  {
    text: 'Dict get, one awaited op ≥ 0.9× raw ioredis',
    workload: 'dict',
    metric: 'get1',
    against: 'ioredis HSET/HGET',
    atLeast: 0.9,
  },
  {
    text: 'Lock hand-off p50 ≤ 1 ms on loopback',
    workload: 'locks',
    metric: 'handoffP50',
    atMost: 1,
  },
  {
    text: 'Lock uncontended acquire+release ≥ 1.0× redlock',
    workload: 'locks',
    metric: 'uncontended',
    against: 'redlock',
    atLeast: 1,
  },
  {
    text: 'Pool, trivial task: local backend ≥ 1.0× Python Pool(2).map',
    workload: 'pool',
    metric: 'trivial',
    against: 'Python Pool(2)',
    atLeast: 1,
  },
  {
    text: 'Pool, trivial task, chunked: redis backend within 2× of the local backend (≥ 0.5×)',
    workload: 'pool',
    metric: 'trivial',
    of: 'redproc redis',
    against: 'redproc local',
    atLeast: 0.5,
  },
  {
    text: 'Pool, CPU-bound task, chunked: redis backend within 2× of the local backend (≥ 0.5×)',
    workload: 'pool',
    metric: 'cpu',
    of: 'redproc redis',
    against: 'redproc local',
    atLeast: 0.5,
  },
  {
    text: 'encode() of the queue items costs at most 1.5× JSON.stringify (≥ 0.67× its rate)',
    workload: 'codec',
    metric: 'item',
    against: 'JSON.stringify',
    atLeast: 1 / 1.5,
  },
  {
    text: 'Consumer RSS ≤ 100 MB under load',
    workload: 'memory',
    metric: 'peakRssMb',
    atMost: 100,
  },
  {
    text: 'Redis used_memory back within 10% of its start after workload 1',
    workload: 'memory',
    metric: 'redisGrowthPct',
    atMost: 10,
  },
]

/** 'failed': the workload ran but a contender of the comparison failed every run. */
export type TargetStatus = 'pass' | 'miss' | 'failed' | 'not measured'

export interface TargetResult {
  target: Target
  status: TargetStatus
  /** The ratio or figure compared with the bound. */
  measured?: number
  /** What the figure is, for the report ("1.23×", "45.6 MB"). */
  shown: string
}

export function evaluateTargets(summaries: Summary[]): TargetResult[] {
  return TARGETS.map((target) => evaluate(target, summaries))
}

function evaluate(target: Target, summaries: Summary[]): TargetResult {
  const summary = summaries.find((s) => s.workload.id === target.workload)
  const metric = summary?.workload.metrics.find((m) => m.key === target.metric)
  const redproc = summary?.cells.find(
    (c) =>
      c.metric === target.metric &&
      (target.of ? c.contender === target.of : c.contenderIndex === 0),
  )
  if (!summary || !metric || !redproc) return { target, status: 'not measured', shown: '—' }
  if (redproc.median === undefined) return { target, status: 'failed', shown: '—' }
  let measured: number
  let shown: string
  if (target.against) {
    const other = summary.cells.find(
      (c) => c.metric === target.metric && c.contender === target.against,
    )
    if (!other) return { target, status: 'not measured', shown: '—' }
    if (other.median === undefined) return { target, status: 'failed', shown: '—' }
    measured = redproc.median / other.median
    shown = `${measured.toFixed(2)}×`
  } else {
    measured = redproc.median
    shown = `${measured.toFixed(measured >= 100 ? 0 : 2)} ${metric.unit}`
  }
  const pass =
    (target.atLeast === undefined || measured >= target.atLeast) &&
    (target.atMost === undefined || measured <= target.atMost)
  return { target, status: pass ? 'pass' : 'miss', measured, shown }
}
