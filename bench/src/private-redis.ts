/**
 * The benchmark's own Redis: a private redis-server without persistence on a
 * free port, never a shared REDIS_URL, so no other traffic lands in the
 * figures and the run may reset its statistics and delete its keys freely.
 */
import { Redis } from 'ioredis'
import { startRedisServer } from '../../scripts/redis.mjs'

export interface CommandStat {
  calls: number
  usec: number
}

export interface PrivateRedis {
  url: string
  port: number
  /** An administrative client: INFO, CONFIG RESETSTAT, key cleanup. */
  admin: Redis
  stop(): Promise<void>
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  // Per-command latency histograms are allocated on a command's first call and
  // held until CONFIG RESETSTAT: several hundred KB that would read as memory
  // a workload left behind.
  const server = await startRedisServer(['--latency-tracking', 'no'])
  const admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await admin.connect()
  } catch (error) {
    admin.disconnect()
    await server.stop()
    throw error
  }
  let stopped = false
  return {
    url: server.url,
    port: server.port,
    admin,
    async stop() {
      if (stopped) return
      stopped = true
      admin.disconnect()
      await server.stop()
    },
  }
}

/** One INFO section as a field → value record. */
export async function info(redis: Redis, section: string): Promise<Record<string, string>> {
  const text = await redis.info(section)
  const fields: Record<string, string> = {}
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1)
  }
  return fields
}

/** `INFO commandstats` as command → calls and microseconds. */
export async function commandStats(redis: Redis): Promise<Record<string, CommandStat>> {
  const stats: Record<string, CommandStat> = {}
  for (const [field, value] of Object.entries(await info(redis, 'commandstats'))) {
    const calls = /calls=(\d+)/.exec(value)
    const usec = /usec=(\d+)/.exec(value)
    stats[field.replace(/^cmdstat_/, '')] = {
      calls: Number(calls?.[1] ?? 0),
      usec: Number(usec?.[1] ?? 0),
    }
  }
  return stats
}

/** Redis's own CPU time so far, user plus system, in ms. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const cpu = await info(redis, 'cpu')
  return (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1000
}

/** `used_memory` in bytes: everything Redis allocated. */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await info(redis, 'memory')).used_memory)
}

export interface Leftovers {
  keys: number
  /** Estimated from `MEMORY USAGE` of up to 20 keys of each shape. */
  bytes: number
  /** Keys grouped by shape: the run id shown as `<run>`, digits as `N`. */
  byShape: Record<string, { keys: number; bytes: number }>
}

/**
 * Measures, then deletes, every key whose name contains `runId`: what a run
 * left behind. DEL, not UNLINK, so the memory is free before the next run
 * reads `used_memory`.
 */
export async function sweepKeys(redis: Redis, runId: string): Promise<Leftovers> {
  const shapes = new Map<string, { keys: number; sampled: number[] }>()
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${runId}*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const shape = key.replace(runId, '<run>').replace(/\d+/g, 'N')
      const entry = shapes.get(shape) ?? { keys: 0, sampled: [] }
      entry.keys++
      if (entry.sampled.length < 20)
        entry.sampled.push(Number(await redis.memory('USAGE', key)) || 0)
      shapes.set(shape, entry)
    }
    if (keys.length > 0) await redis.del(...keys)
  } while (cursor !== '0')
  const leftovers: Leftovers = { keys: 0, bytes: 0, byShape: {} }
  for (const [shape, entry] of shapes) {
    const average = entry.sampled.reduce((a, b) => a + b, 0) / Math.max(1, entry.sampled.length)
    const bytes = Math.round(average * entry.keys)
    leftovers.byShape[shape] = { keys: entry.keys, bytes }
    leftovers.keys += entry.keys
    leftovers.bytes += bytes
  }
  return leftovers
}
