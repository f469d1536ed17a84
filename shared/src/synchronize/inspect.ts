import { KEY_PARTS, namespacePattern, parseKey } from '../redis/keys.js'
import { scanKeys } from '../redis/scan.js'
import type { Scope } from '../redis/scope.js'

/** A lock or rlock: who holds it, under which fencing token, and who waits. */
export interface LockState {
  kind: 'lock' | 'rlock'
  name: string
  /** The object a lock belongs to (`value 'hits'`), when it is a value's, array's or condition's. */
  of?: string
  held: boolean
  /** The id of the holding handle. */
  holder: string | null
  fencingToken: number | null
  /** How many times the holder took it (an rlock re-entered). */
  level: number
  /** What is left of the holder's lease, in ms. */
  leaseMs: number | null
  waiters: number
}

export interface SemaphoreState {
  kind: 'semaphore' | 'bounded-semaphore'
  name: string
  initial: number
  value: number
  /** Permits taken, with what is left of each lease in ms. */
  holders: Array<{ permit: string; leaseMs: number }>
  waiters: number
}

export interface BarrierState {
  kind: 'barrier'
  name: string
  parties: number
  /** Parties arrived in the current generation. */
  waiting: number
  generation: number
  broken: boolean
  waiters: number
}

export interface EventState {
  kind: 'event'
  name: string
  set: boolean
  waiters: number
}

export interface ConditionState {
  kind: 'condition'
  name: string
  waiters: number
}

export type SyncState = LockState | SemaphoreState | BarrierState | EventState | ConditionState

const LOCK_OWNERS = new Set(['value', 'array', 'condition'])
const PRIMITIVES = new Set([
  'lock',
  'rlock',
  'semaphore',
  'bounded-semaphore',
  'barrier',
  'event',
  'condition',
])

/**
 * The synchronization objects of the context's namespace that have state in
 * Redis, read without changing them: what `/v1/sync` shows. An object that
 * was never used (an event never set nor waited on) has no keys and is not
 * listed. Walks the namespace's keys with SCAN, so it costs time in
 * proportion to them: for monitoring, not for a hot path.
 */
export async function inspectSync(mp: Scope): Promise<SyncState[]> {
  const found = new Map<string, { kind: string; name: string; embeddedLock: boolean }>()
  for await (const key of scanKeys(mp.redis, namespacePattern(mp.options.namespace))) {
    const parts = parseKey(mp.options.namespace, key)
    if (!parts) continue
    const embeddedLock = LOCK_OWNERS.has(parts.kind) && /^lock(:|$)/.test(parts.suffix)
    if (PRIMITIVES.has(parts.kind) || embeddedLock) {
      const id = `${parts.kind}\u0000${parts.name}\u0000${embeddedLock}`
      found.set(id, { kind: parts.kind, name: parts.name, embeddedLock })
    }
  }
  const [seconds, micros] = await mp.redis.time()
  const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
  const states = await Promise.all(
    [...found.values()].map(({ kind, name, embeddedLock }) =>
      embeddedLock
        ? readLock(mp, kind === 'condition' ? 'rlock' : 'lock', name, nowMs, kind)
        : readPrimitive(mp, kind, name, nowMs),
    ),
  )
  return states
    .filter((state): state is SyncState => state !== undefined)
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
}

function readPrimitive(
  mp: Scope,
  kind: string,
  name: string,
  nowMs: number,
): Promise<SyncState | undefined> {
  switch (kind) {
    case 'lock':
    case 'rlock':
      return readLock(mp, kind, name, nowMs)
    case 'semaphore':
    case 'bounded-semaphore':
      return readSemaphore(mp, kind, name, nowMs)
    case 'barrier':
      return readBarrier(mp, name, nowMs)
    case 'event':
      return readEvent(mp, name, nowMs)
    default:
      return readCondition(mp, name, nowMs)
  }
}

/** Replies of a pipeline of one object's keys (one hash slot, so it works on a cluster too). */
async function pipelined(
  mp: Scope,
  build: (pipeline: ReturnType<Scope['redis']['pipeline']>) => void,
): Promise<unknown[]> {
  const pipeline = mp.redis.pipeline()
  build(pipeline)
  const replies = (await pipeline.exec()) ?? []
  return replies.map(([error, reply]) => {
    if (error) throw error
    return reply
  })
}

/** Waiters still listening: a waiter's deadline passed means it is gone. */
function liveWaiters(deadlines: Record<string, string>, nowMs: number): number {
  return Object.values(deadlines).filter((deadline) => Number(deadline) >= nowMs).length
}

async function readLock(
  mp: Scope,
  kind: 'lock' | 'rlock',
  name: string,
  nowMs: number,
  owner?: string,
): Promise<LockState> {
  const keys = mp.keys(owner ?? kind, name)
  const stem = owner === undefined ? '' : `${KEY_PARTS.lock.embedded}:`
  const holdKey = owner === undefined ? keys.base : keys.part(KEY_PARTS.lock.embedded)
  const [hold, lease, deadlines] = (await pipelined(mp, (p) =>
    p
      .get(holdKey)
      .pttl(holdKey)
      .hgetall(keys.part(`${stem}${KEY_PARTS.waitQueue.deadlines}`)),
  )) as [string | null, number, Record<string, string>]
  // The hold is 'owner:fence|level' (lock-acquire.lua).
  const match = hold === null ? null : /^(.*):(\d+)\|(\d+)$/s.exec(hold)
  return {
    kind,
    name,
    ...(owner === undefined ? {} : { of: `${owner} '${name}'` }),
    held: match !== null,
    holder: match?.[1] ?? null,
    fencingToken: match ? Number(match[2]) : null,
    level: match ? Number(match[3]) : 0,
    leaseMs: match && lease >= 0 ? lease : null,
    waiters: liveWaiters(deadlines, nowMs),
  }
}

async function readSemaphore(
  mp: Scope,
  kind: 'semaphore' | 'bounded-semaphore',
  name: string,
  nowMs: number,
): Promise<SemaphoreState | undefined> {
  const keys = mp.keys(kind, name)
  const [state, holders, deadlines] = (await pipelined(mp, (p) =>
    p
      .hgetall(keys.base)
      .zrangebyscore(keys.part(KEY_PARTS.semaphore.holders), nowMs, '+inf', 'WITHSCORES')
      .hgetall(keys.part(KEY_PARTS.waitQueue.deadlines)),
  )) as [Record<string, string>, string[], Record<string, string>]
  if (state.initial === undefined) return undefined
  const permits: SemaphoreState['holders'] = []
  for (let i = 0; i < holders.length; i += 2) {
    permits.push({ permit: holders[i] as string, leaseMs: Number(holders[i + 1]) - nowMs })
  }
  const initial = Number(state.initial)
  return {
    kind,
    name,
    initial,
    value: initial + Number(state.extra ?? 0) - permits.length,
    holders: permits,
    waiters: liveWaiters(deadlines, nowMs),
  }
}

async function readBarrier(
  mp: Scope,
  name: string,
  nowMs: number,
): Promise<BarrierState | undefined> {
  const keys = mp.keys('barrier', name)
  const [state, waiters] = (await pipelined(mp, (p) =>
    p.hgetall(keys.base).zcount(keys.part(KEY_PARTS.waitQueue.waiters), nowMs, '+inf'),
  )) as [Record<string, string>, number]
  if (state.parties === undefined) return undefined
  return {
    kind: 'barrier',
    name,
    parties: Number(state.parties),
    waiting: Number(state.count ?? 0),
    generation: Number(state.generation ?? 0),
    broken: state.broken === '1',
    waiters,
  }
}

async function readEvent(mp: Scope, name: string, nowMs: number): Promise<EventState> {
  const keys = mp.keys('event', name)
  const [set, waiters] = (await pipelined(mp, (p) =>
    p.exists(keys.base).zcount(keys.part(KEY_PARTS.waitQueue.waiters), nowMs, '+inf'),
  )) as [number, number]
  return { kind: 'event', name, set: set === 1, waiters }
}

async function readCondition(mp: Scope, name: string, nowMs: number): Promise<ConditionState> {
  const deadlines = await mp.redis.hgetall(
    mp.keys('condition', name).part(KEY_PARTS.waitQueue.deadlines),
  )
  return { kind: 'condition', name, waiters: liveWaiters(deadlines, nowMs) }
}
