import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { NAMESPACE_KEYS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { timerDelay } from '../timers.js'
import { listQueues } from './queue-registry.js'

/** What a serving process tells the others about itself, refreshed every heartbeat. */
export interface WorkerInfo {
  id: string
  host: string
  pid: number
  queue: string
  concurrency: number
  /** Worker threads the tasks run on; 0 when they run on the process's own thread. */
  threads: number
  /** Items finished, successfully or not. */
  processed: number
  failed: number
  /** The tasks running now. */
  current: string[]
  tasks: string[]
  /** Pool chunks put back on the queue for another worker, their task not being here. */
  passedOn: number
  /** The tasks of the chunks passed on: what this process lacks that others serve. */
  missingTasks: string[]
  startedAt: number
  uptimeMs: number
  lastSeenAt: number
}

/** A worker that missed this many heartbeats is taken for dead. */
const MISSED_BEATS = 3

/**
 * Keeps a worker's entry in Redis: a hash of its `WorkerInfo` that expires
 * unless renewed, listed in a sorted set per queue scored by expiry time.
 */
export class WorkerHeartbeat {
  readonly host = hostname()
  readonly id =
    `${this.host.replace(/[^A-Za-z0-9.-]/g, '-')}-${process.pid}-${randomBytes(3).toString('hex')}`
  private readonly mp: Scope
  private readonly intervalMs: number
  private timer: NodeJS.Timeout | undefined

  constructor(mp: Scope, intervalMs: number) {
    this.mp = mp
    this.intervalMs = intervalMs
  }

  /** Beats now and then every interval, reading the figures from `info`. */
  start(info: () => WorkerInfo): Promise<void> {
    const beat = async () => {
      const entry = info()
      const now = entry.lastSeenAt
      const ttl = this.intervalMs * MISSED_BEATS
      const key = this.mp.keys(NAMESPACE_KEYS.worker, this.id).base
      await this.mp.redis.set(key, JSON.stringify(entry), 'PX', ttl)
      await this.mp.redis.zadd(registryKey(this.mp, entry.queue), now + ttl, this.id)
    }
    // The first beat must work before any timer runs: a failing one would
    // leave an interval behind.
    return beat().then(() => {
      this.timer = setInterval(() => beat().catch(() => {}), timerDelay(this.intervalMs))
      this.timer.unref()
    })
  }

  /** Stops beating and removes the entry at once, rather than letting it expire. */
  async stop(queue: string): Promise<void> {
    clearInterval(this.timer)
    await this.mp.redis.del(this.mp.keys(NAMESPACE_KEYS.worker, this.id).base)
    await this.mp.redis.zrem(registryKey(this.mp, queue), this.id)
  }
}

/**
 * The live workers of `queue`, or of every queue of the namespace; entries of
 * dead ones are pruned on the way.
 */
export async function listWorkers(mp: Scope, queue?: string): Promise<WorkerInfo[]> {
  if (queue === undefined) {
    const queues = await listQueues(mp)
    return (await Promise.all(queues.map((name) => listWorkers(mp, name)))).flat()
  }
  const registry = registryKey(mp, queue)
  const now = Date.now()
  await mp.redis.zremrangebyscore(registry, '-inf', now)
  const ids = await mp.redis.zrange(registry, 0, -1)
  const entries = await Promise.all(
    ids.map((id) => mp.redis.get(mp.keys(NAMESPACE_KEYS.worker, id).base)),
  )
  return entries.flatMap((entry) => (entry === null ? [] : [JSON.parse(entry) as WorkerInfo]))
}

/** How long what the live workers list is trusted before it is read again. */
const LISTING_TTL_MS = 1000

/**
 * The tasks the other live workers of a queue list, read at most once a
 * second: how a serving process that lacks a task learns whether another
 * can run it.
 */
export class ListedTasks {
  private known: { tasks: Set<string>; at: number } | undefined
  private reading: Promise<Set<string>> | undefined

  constructor(
    private readonly mp: Scope,
    private readonly queue: string,
    private readonly selfId: string,
  ) {}

  async elsewhere(task: string): Promise<boolean> {
    const known = this.known
    if (known && performance.now() - known.at < LISTING_TTL_MS) return known.tasks.has(task)
    this.reading ??= this.read().finally(() => {
      this.reading = undefined
    })
    return (await this.reading).has(task)
  }

  private async read(): Promise<Set<string>> {
    const workers = await listWorkers(this.mp, this.queue)
    const tasks = new Set(workers.filter((w) => w.id !== this.selfId).flatMap((w) => w.tasks))
    this.known = { tasks, at: performance.now() }
    return tasks
  }
}

function registryKey(mp: Scope, queue: string): string {
  return mp.keys(NAMESPACE_KEYS.workersOfQueue, queue).base
}
