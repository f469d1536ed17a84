import type { Contender, Workload } from '../workload.js'
import { beeEndToEnd, bullmqEndToEnd, type EndToEnd, redprocEndToEnd } from './end-to-end.js'

/** Workload 8: what workload 1 costs in memory, in the consumers and in Redis. */
export const memory: Workload = {
  id: 'memory',
  title: 'Memory under workload 1',
  description:
    'Workload 1 again, with each consumer sampling its RSS every 20 ms. Redis `used_memory` is read before the consumers start and after every process and connection of the run has closed; the keys the run left behind are then counted and sized with `MEMORY USAGE`. The private Redis runs with `latency-tracking no`: its per-command histograms would otherwise read as several hundred KB left behind.',
  metrics: [
    { key: 'idleRssMb', label: 'consumer RSS idle', unit: 'MB', better: 'lower' },
    { key: 'peakRssMb', label: 'consumer RSS under load', unit: 'MB', better: 'lower' },
    {
      key: 'redisGrowthPct',
      label: 'Redis used_memory growth',
      unit: '%',
      better: 'lower',
      ratio: false,
    },
    { key: 'redisAfterMb', label: 'Redis used_memory after', unit: 'MB', better: 'lower' },
    {
      key: 'leftoverKeys',
      label: 'keys left behind',
      unit: 'keys',
      better: 'lower',
      ratio: false,
    },
    {
      key: 'leftoverKb',
      label: 'size of the keys left behind',
      unit: 'KB',
      better: 'lower',
      ratio: false,
    },
  ],
  contenders: [
    contender('redproc', 'as in workload 1', redprocEndToEnd),
    contender('BullMQ', 'as in workload 1 (removeOnComplete)', bullmqEndToEnd),
    contender('bee-queue', 'as in workload 1 (removeOnSuccess)', beeEndToEnd),
  ],
}

function contender(
  name: string,
  note: string,
  measure: (env: Parameters<Contender['run']>[0], sampleRss: boolean) => Promise<EndToEnd>,
): Contender {
  return {
    name,
    note,
    run: async (env) => {
      const m = await measure(env, true)
      return {
        idleRssMb: m.idleRssMb,
        peakRssMb: m.peakRssMb,
        redisBeforeMb: m.redisBeforeMb,
        redisAfterMb: m.redisAfterMb,
        redisGrowthPct: ((m.redisAfterMb - m.redisBeforeMb) / m.redisBeforeMb) * 100,
      }
    },
  }
}
