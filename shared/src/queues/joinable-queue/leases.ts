import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { BullmqLayout } from './bullmq-layout.js'
import type { Exchange } from './job-scripts.js'

/** An item of a joinable queue leased to a consumer, as `JoinableQueue.leases()` reads it. */
export interface Lease {
  /** The job's id. */
  id: string
  /** The host and pid of the process holding it; null once the lease lapsed (it goes back soon). */
  host: string | null
  pid: number | null
  /** What is left of the lease, in ms; null once it lapsed. */
  leaseMs: number | null
}

/**
 * The stem of a handle's lock tokens, `host:pid:random`: whoever reads a job's
 * lock sees which process holds it. Each take appends `:n`.
 */
export function holderStem(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`
}

/** A token made from `holderStem()`; the host may hold colons, so it is read from the right. */
const TOKEN = /^(.+):(\d+):[0-9a-f]+:\d+$/s

/** Leased items read for join()'s TIMEOUT at most: enough to name who holds them. */
const LEASES_DESCRIBED = 1000

/**
 * The items in BullMQ's active list, newest first and at most `limit`, each
 * with its lock: two round trips on the queue's hash slot.
 */
export async function readLeases(
  call: Exchange,
  layout: BullmqLayout,
  limit: number,
): Promise<Lease[]> {
  const ids = await call((redis) => redis.lrange(layout.keys.active, 0, limit - 1))
  if (ids.length === 0) return []
  const replies = await call((redis) => {
    const pipeline = redis.pipeline()
    for (const id of ids) {
      const lock = `${layout.jobKeyPrefix}${id}:lock`
      pipeline.get(lock).pttl(lock)
    }
    return pipeline.exec()
  })
  const values = (replies ?? []).map(([error, value]) => {
    if (error) throw error
    return value
  })
  return ids.map((id, i) => {
    const token = values[2 * i] as string | null
    const ttl = values[2 * i + 1] as number
    const holder = token === null ? null : TOKEN.exec(token)
    return {
      id,
      host: holder?.[1] ?? null,
      pid: holder ? Number(holder[2]) : null,
      leaseMs: token !== null && ttl >= 0 ? ttl : null,
    }
  })
}

/**
 * What a queue's unfinished items are doing, for join()'s TIMEOUT: how many
 * wait, and who holds the leased ones — `3 items unfinished (1 waiting; 2
 * leased: web-1 pid 812 holds 2)`.
 */
export async function describeUnfinished(
  call: Exchange,
  layout: BullmqLayout,
  unfinished: number,
): Promise<string> {
  const { keys } = layout
  const [[waiting, delayed, leased], leases] = await Promise.all([
    call((redis) =>
      Promise.all([redis.llen(keys.wait), redis.zcard(keys.delayed), redis.llen(keys.active)]),
    ),
    readLeases(call, layout, LEASES_DESCRIBED),
  ])
  const held = new Map<string, number>()
  for (const lease of leases) {
    const holder =
      lease.host !== null
        ? `${lease.host} pid ${lease.pid}`
        : lease.leaseMs === null
          ? 'no one (lease lapsed)'
          : 'another client'
    held.set(holder, (held.get(holder) ?? 0) + 1)
  }
  const parts = [`${waiting} waiting`]
  if (delayed > 0) parts.push(`${delayed} delayed`)
  if (leased > 0) {
    const holders = [...held].map(([holder, count]) => `${holder} holds ${count}`)
    if (leased > leases.length) holders.push(`${leased - leases.length} more not read`)
    parts.push(`${leased} leased: ${holders.join(', ')}`)
  }
  return `${unfinished} item${unfinished === 1 ? '' : 's'} unfinished (${parts.join('; ')})`
}
