import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { RedisClient } from '../redis/client.js'
import type { BullmqKeys } from './bullmq-layout.js'

/** Leased items read for a report at most: enough to name who holds them. */
const ITEMS_READ = 1000

/**
 * A queue handle's id, which starts the lock token of every item it takes:
 * `host:pid:random`, so that whoever looks at a lock can tell whose it is.
 */
export function newHandleId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`
}

/** `host pid 1234` from a token `host:pid:random:take`; undefined for a token of another form. */
function holderOf(token: string): string | undefined {
  const parts = token.split(':')
  if (parts.length < 4) return undefined
  return `${parts.slice(0, -3).join(':')} pid ${parts.at(-3)}`
}

/**
 * What a queue's unfinished items are doing, for join()'s TIMEOUT: how many
 * wait, and who holds the leased ones — `3 items unfinished (1 waiting; 2
 * leased: web-1 pid 812 holds 2)`.
 */
export async function describeUnfinished(
  redis: RedisClient,
  keys: BullmqKeys,
  jobKeyPrefix: string,
  unfinished: number,
): Promise<string> {
  const [waiting, delayed, leased, active] = await Promise.all([
    redis.llen(keys.wait),
    redis.zcard(keys.delayed),
    redis.llen(keys.active),
    redis.lrange(keys.active, 0, ITEMS_READ - 1),
  ])
  const tokens =
    active.length > 0 ? await redis.mget(active.map((id) => `${jobKeyPrefix}${id}:lock`)) : []
  const held = new Map<string, number>()
  for (const token of tokens) {
    const holder = token === null ? 'no one (lease lapsed)' : (holderOf(token) ?? 'another client')
    held.set(holder, (held.get(holder) ?? 0) + 1)
  }
  const parts = [`${waiting} waiting`]
  if (delayed > 0) parts.push(`${delayed} delayed`)
  if (leased > 0) {
    const holders = [...held].map(([holder, count]) => `${holder} holds ${count}`)
    if (leased > active.length) holders.push(`${leased - active.length} more not read`)
    parts.push(`${leased} leased: ${holders.join(', ')}`)
  }
  return `${unfinished} item${unfinished === 1 ? '' : 's'} unfinished (${parts.join('; ')})`
}
