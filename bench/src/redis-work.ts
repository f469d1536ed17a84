/**
 * What a run cost Redis per operation: the commands it ran (a script call
 * and each command inside it count once each) and Redis's own CPU time from
 * `INFO cpu`. Time is not summed from `INFO commandstats`: a script's time
 * there already includes the commands it ran, which are listed again.
 */
import type { CommandStat } from './private-redis.js'
import type { RunRecord } from './runner.js'

/** Redis commands a benchmark's own bookkeeping sends, left out of the counts. */
const HOUSEKEEPING = new Set(['info', 'config|resetstat', 'config'])

/** Metric keys a workload lists to show these figures for every contender that used Redis. */
export const REDIS_COMMANDS = 'redisCommands'
export const REDIS_CPU_US = 'redisCpuUs'

export function workCommands(run: RunRecord): Array<[string, CommandStat]> {
  return Object.entries(run.commands).filter(([name]) => !HOUSEKEEPING.has(name))
}

/** Whether the run used Redis for its work at all (the Python contenders do not). */
export function usedRedis(run: RunRecord | undefined): run is RunRecord {
  return run !== undefined && workCommands(run).some(([, s]) => s.calls >= run.n / 200)
}

/** Commands and µs of Redis CPU per operation of the run. */
export function redisWorkPerOp(run: RunRecord): { calls: number; cpuUs: number } {
  return {
    calls: workCommands(run).reduce((sum, [, s]) => sum + s.calls, 0) / run.n,
    cpuUs: (run.redisCpuMs * 1000) / run.n,
  }
}

/** The Redis figures a run of a workload that lists them reports beside its own. */
export function redisWorkValues(run: RunRecord, metricKeys: string[]): Record<string, number> {
  if (!usedRedis(run)) return {}
  const { calls, cpuUs } = redisWorkPerOp(run)
  const values: Record<string, number> = {}
  if (metricKeys.includes(REDIS_COMMANDS)) values[REDIS_COMMANDS] = calls
  if (metricKeys.includes(REDIS_CPU_US)) values[REDIS_CPU_US] = cpuUs
  return values
}

/** The two metrics, for a workload's list. */
export const REDIS_WORK_METRICS = [
  {
    key: REDIS_COMMANDS,
    label: 'Redis commands per item (a script and each command in it count once)',
    unit: 'commands',
    better: 'lower',
    ratio: false,
  },
  {
    key: REDIS_CPU_US,
    label: 'Redis CPU per item (INFO cpu, user + sys)',
    unit: 'µs',
    better: 'lower',
    ratio: false,
  },
] as const
