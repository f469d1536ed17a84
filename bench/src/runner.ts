/**
 * Runs workloads: contenders interleaved run by run (A, B, A, B …) so that
 * drift of the machine hits every contender alike, each run on fresh keys,
 * with Redis's own command counts and CPU time recorded beside the figures.
 */
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import {
  type CommandStat,
  commandStats,
  type Leftovers,
  redisCpuMs,
  sweepKeys,
} from './private-redis.js'
import { killAllChildren, setChildNodeFlags } from './processes.js'
import { childProfileFlags, type ProfileSummary, RunProfiler } from './profile.js'
import { redisWorkValues } from './redis-work.js'
import type { BenchEnv, Workload } from './workload.js'

export interface RunRecord {
  run: number
  contender: string
  ok: boolean
  values: Record<string, number>
  error?: string
  wallMs: number
  /** CPU time of this benchmark process (the producer side) during the run, ms. */
  benchCpuMs: number
  /** CPU time Redis spent during the run, ms. */
  redisCpuMs: number
  /** Redis commands executed during the run, by command. */
  commands: Record<string, CommandStat>
  /** Keys the run left in Redis (deleted before the next run). */
  leftovers: Leftovers
  /** With --profile: the CPU profiles of the run, each with its hottest functions. */
  profiles?: ProfileSummary[]
  /** Operations of the run (N × opsPerItem), to turn command counts into counts per operation. */
  n: number
}

export interface WorkloadResult {
  workload: Workload
  n: number
  runs: RunRecord[]
}

export interface RunnerOptions {
  admin: Redis
  redisUrl: string
  redisPort: number
  python: string
  quick: boolean
  runs: number
  /** N for a workload that does not set its own. */
  defaultN: number
  /** Per-workload N is divided by this with --quick. */
  quickDivisor: number
  timeoutMs: number
  /** With --profile: where each run's CPU profiles go. */
  profileDir?: string
  log: (line: string) => void
}

let runCounter = 0
const profiler = new RunProfiler()

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
}

export async function runWorkload(
  workload: Workload,
  position: string,
  options: RunnerOptions,
): Promise<WorkloadResult> {
  const fullN = workload.n ?? options.defaultN
  const n = options.quick ? Math.max(1, Math.round(fullN / options.quickDivisor)) : fullN
  const runs: RunRecord[] = []
  options.log(
    `[bench ${position}] ${workload.id}: N = ${n.toLocaleString('en-US')}, ${workload.contenders.length} contenders × ${options.runs} runs, interleaved`,
  )
  for (let run = 1; run <= options.runs; run++) {
    for (const contender of workload.contenders) {
      const runId = `b${Date.now().toString(36)}-${++runCounter}`
      const env: BenchEnv = {
        redisUrl: options.redisUrl,
        redisPort: options.redisPort,
        python: options.python,
        n,
        quick: options.quick,
        runId,
      }
      const profileDir = options.profileDir
        ? join(options.profileDir, `${workload.id}-${slug(contender.name)}-run${run}`)
        : undefined
      if (profileDir) {
        await profiler.start(profileDir)
        setChildNodeFlags(childProfileFlags(profileDir))
      }
      await options.admin.config('RESETSTAT')
      const cpuBefore = await redisCpuMs(options.admin)
      const benchCpuBefore = process.cpuUsage()
      const started = performance.now()
      const ops = n * (workload.opsPerItem ?? 1)
      let record: RunRecord
      try {
        const values = await withTimeout(contender.run(env), options.timeoutMs, contender.name)
        record = { run, contender: contender.name, ok: true, values, ...empty(ops) }
      } catch (error) {
        killAllChildren()
        record = {
          run,
          contender: contender.name,
          ok: false,
          values: {},
          error: error instanceof Error ? error.message : String(error),
          ...empty(ops),
        }
      }
      record.wallMs = performance.now() - started
      if (profileDir) {
        setChildNodeFlags([])
        record.profiles = await profiler.stop(profileDir)
      }
      const benchCpu = process.cpuUsage(benchCpuBefore)
      record.benchCpuMs = (benchCpu.user + benchCpu.system) / 1000
      record.redisCpuMs = (await redisCpuMs(options.admin)) - cpuBefore
      record.commands = await commandStats(options.admin)
      record.leftovers = await sweepKeys(options.admin, runId)
      if (record.ok) {
        Object.assign(
          record.values,
          redisWorkValues(
            record,
            workload.metrics.map((m) => m.key),
          ),
        )
        record.values.leftoverKeys = record.leftovers.keys
        record.values.leftoverKb = record.leftovers.bytes / 1024
      }
      runs.push(record)
      options.log(progressLine(workload, position, run, options.runs, record))
    }
  }
  return { workload, n, runs }
}

function empty(n: number) {
  return {
    wallMs: 0,
    benchCpuMs: 0,
    redisCpuMs: 0,
    commands: {},
    leftovers: { keys: 0, bytes: 0, byShape: {} },
    n,
  }
}

function progressLine(
  workload: Workload,
  position: string,
  run: number,
  runs: number,
  record: RunRecord,
): string {
  const head = `[bench ${position}] ${workload.id} run ${run}/${runs} ${record.contender}:`
  if (!record.ok) return `${head} FAILED (${record.error?.split('\n')[0]})`
  const first = workload.metrics.find((m) => record.values[m.key] !== undefined)
  const figure = first ? `${formatNumber(record.values[first.key] as number)} ${first.unit}` : 'ok'
  return `${head} ${figure} (${(record.wallMs / 1000).toFixed(1)} s)`
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—'
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
