/**
 * The soak's traffic: one loop per kind of work, each paced by a token bucket
 * so that the run stays within a fixed budget of operations a second, and
 * each checking what it gets back: a wrong answer counts as an error, as a
 * thrown one does.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Context, JoinableQueue, Lock, RemoteManager, Semaphore } from '@redproc/shared'
import { TokenBucket } from './token-bucket.js'

export const KINDS = ['jobs', 'joinable', 'queue', 'pool', 'lock', 'semaphore', 'http'] as const
export type Kind = (typeof KINDS)[number]

/** The queues the two consumer services serve. */
export const JOBS_QUEUE = 'soak-jobs'
export const POOL_QUEUE = 'soak-pool'

const JOB_BATCH = 4
const IO_MS = 5
const ITEM_BATCH = 10
const JOIN_EVERY_ROUNDS = 100
const POOL_ITEMS = 100
const HOLD_MS = 2
const SEMAPHORE_VALUE = 2
const SEMAPHORE_HANDLES = 3
const HTTP_KEYS = 100
/** The longest any one wait of a round may take: a stuck round fails, it never hangs the run. */
const WAIT_MS = 10_000
/** After an error a loop pauses, so a Redis or a service that is down does not make it spin. */
const ERROR_PAUSE_MS = 1000

export interface Budget {
  /** Operations a second, in `unit`, summed over the kind's loops. */
  perSecond: number
  unit: string
  what: string
}

export const BUDGET: Record<Kind, Budget> = {
  jobs: {
    perSecond: 40,
    unit: 'jobs',
    what: `putJobs of ${JOB_BATCH} (double, io ${IO_MS} ms) run by a consumer service; each batch's last result read back with getJob`,
  },
  joinable: {
    perSecond: 100,
    unit: 'items',
    what: `joinable queue: put ${ITEM_BATCH}, get and taskDone each; join every ${JOIN_EVERY_ROUNDS} rounds`,
  },
  queue: { perSecond: 100, unit: 'items', what: `mp.queue: put ${ITEM_BATCH}, get ${ITEM_BATCH}` },
  pool: {
    perSecond: POOL_ITEMS,
    unit: 'items',
    what: `a new pool's map('double', ${POOL_ITEMS} items) a second, served by a second consumer service`,
  },
  lock: {
    perSecond: 20,
    unit: 'holds',
    what: `two handles contending for one lock, held ${HOLD_MS} ms`,
  },
  semaphore: {
    perSecond: 30,
    unit: 'holds',
    what: `${SEMAPHORE_HANDLES} handles on a semaphore of ${SEMAPHORE_VALUE}, held ${HOLD_MS} ms`,
  },
  http: {
    perSecond: 50,
    unit: 'calls',
    what: 'RemoteManager through the api: dict set + get, list append + pop, value add',
  },
}

/** What the loops did: operations and errors by kind, the first error messages kept. */
export class Tally {
  readonly ops = byKind()
  readonly errors = byKind()
  readonly firstErrors: string[] = []

  count(kind: Kind, n: number): void {
    this.ops[kind] += n
  }

  fail(kind: Kind, error: unknown): void {
    this.errors[kind]++
    if (this.firstErrors.length < 10)
      this.firstErrors.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`)
  }

  get errorCount(): number {
    return Object.values(this.errors).reduce((a, b) => a + b, 0)
  }
}

export function byKind(): Record<Kind, number> {
  return Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>
}

export interface Traffic {
  /** Stops the loops after their current round, then checks that every item was got and every job run: the problems found. */
  stop(): Promise<string[]>
}

export interface TrafficOptions {
  /** `removeOnComplete` of the jobs put: how many completed jobs the queue keeps. */
  keepJobs: number
}

export function startTraffic(
  mp: Context,
  manager: RemoteManager,
  options: TrafficOptions,
  tally: Tally,
): Traffic {
  const stopping = new AbortController()
  const loop = (kind: Kind, perSecond: number, perRound: number, round: () => Promise<void>) =>
    runLoop(kind, new TokenBucket(perSecond), perRound, round, tally, stopping.signal)

  const jobs = mp.joinableQueue(JOBS_QUEUE)
  const jobsPut = { count: 0 }
  const fifos = [new FifoCheck('joinable queue'), new FifoCheck('queue')] as const
  const lockGuard = { holders: 0 }
  const semaphoreGuard = { holders: 0 }
  const loops = [
    loop('jobs', BUDGET.jobs.perSecond, JOB_BATCH, jobRound(jobs, options.keepJobs, jobsPut)),
    loop('joinable', BUDGET.joinable.perSecond, ITEM_BATCH, joinableRound(mp, fifos[0])),
    loop('queue', BUDGET.queue.perSecond, ITEM_BATCH, queueRound(mp, fifos[1])),
    loop('pool', BUDGET.pool.perSecond, POOL_ITEMS, poolRound(mp)),
    ...[1, 2].map(() =>
      loop('lock', BUDGET.lock.perSecond / 2, 1, holdRound(mp.lock('soak-lock'), lockGuard, 1)),
    ),
    ...Array.from({ length: SEMAPHORE_HANDLES }, () =>
      loop(
        'semaphore',
        BUDGET.semaphore.perSecond / SEMAPHORE_HANDLES,
        1,
        holdRound(mp.semaphore('soak-semaphore', SEMAPHORE_VALUE), semaphoreGuard, SEMAPHORE_VALUE),
      ),
    ),
    loop('http', BUDGET.http.perSecond, 5, httpRound(manager)),
  ]

  return {
    async stop() {
      stopping.abort()
      await Promise.all(loops)
      const problems = fifos.flatMap((fifo) => fifo.leftOver() ?? [])
      try {
        await jobs.join({ timeout: WAIT_MS })
      } catch (error) {
        problems.push(`jobs: not all done ${WAIT_MS} ms after the traffic stopped: ${error}`)
      }
      const { totals } = await jobs.counts()
      if (totals.completed !== jobsPut.count || totals.failed > 0)
        problems.push(
          `jobs: ${jobsPut.count} put, ${totals.completed} completed, ${totals.failed} failed`,
        )
      return problems
    },
  }
}

async function runLoop(
  kind: Kind,
  bucket: TokenBucket,
  perRound: number,
  round: () => Promise<void>,
  tally: Tally,
  signal: AbortSignal,
): Promise<void> {
  while (await bucket.take(perRound, signal)) {
    try {
      await round()
      tally.count(kind, perRound)
    } catch (error) {
      tally.fail(kind, error)
      await sleep(ERROR_PAUSE_MS)
    }
  }
}

function expect(condition: boolean, what: () => string): void {
  if (!condition) throw new Error(what())
}

/** Jobs for the consumer service, as the producer puts them; the batch's last result is read back. */
function jobRound(queue: JoinableQueue, keepJobs: number, put: { count: number }) {
  let n = 0
  return async () => {
    const batch = Array.from({ length: JOB_BATCH }, () => {
      n++
      const task = n % 2 === 0 ? 'io' : 'double'
      return {
        name: task,
        data: { task, args: task === 'io' ? [IO_MS, n] : [n] },
        opts: { removeOnComplete: keepJobs },
      }
    })
    const ids = await queue.putJobs(batch)
    put.count += ids.length
    const last = ids.at(-1)?.id as string
    const expected = n % 2 === 0 ? n : 2 * n
    const job = await queue.getJob(last, { wait: WAIT_MS })
    expect(
      job?.state === 'completed' && job.result === expected,
      () =>
        `job ${last}: ${job ? `${job.state}, result ${JSON.stringify(job.result)}` : 'gone'}, expected ${expected}`,
    )
  }
}

/**
 * Items put and not yet got, oldest first: each get should return the
 * oldest, first in, first out. An item that comes late is reported once,
 * in its round, and does not make every later round fail.
 */
class FifoCheck {
  private readonly pending = new Set<number>()

  constructor(private readonly what: string) {}

  put(item: number): void {
    this.pending.add(item)
  }

  /** The items one round got, in order; throws naming those that were not the oldest pending. */
  got(items: unknown[]): void {
    const wrong: string[] = []
    for (const item of items) {
      const oldest = this.pending.values().next().value
      if (!this.pending.delete(item as number)) wrong.push(`${item} (not put, or got twice)`)
      else if (item !== oldest) wrong.push(`${item} while ${oldest} was older`)
    }
    if (wrong.length > 0) throw new Error(`${this.what}: got ${wrong.join(', ')}`)
  }

  /** A problem when items were put and never got. */
  leftOver(): string | undefined {
    const left = [...this.pending]
    if (left.length === 0) return undefined
    return `${this.what}: ${left.length} items put and never got (${left.slice(0, 5).join(', ')}…)`
  }
}

/** Python's loop: put, get, task_done; and join now and then. */
function joinableRound(mp: Context, fifo: FifoCheck) {
  const queue = mp.joinableQueue<number>('soak-joinable')
  let n = 0
  let rounds = 0
  return async () => {
    for (let i = 0; i < ITEM_BATCH; i++) {
      fifo.put(n)
      await queue.put(n++)
    }
    const items: number[] = []
    const acks: Promise<void>[] = []
    for (let i = 0; i < ITEM_BATCH; i++) {
      items.push(await queue.get({ timeout: WAIT_MS }))
      acks.push(queue.taskDone())
    }
    await Promise.all(acks)
    fifo.got(items)
    if (++rounds % JOIN_EVERY_ROUNDS === 0) await queue.join({ timeout: WAIT_MS })
  }
}

function queueRound(mp: Context, fifo: FifoCheck) {
  const queue = mp.queue<number>('soak-queue')
  let n = 0
  return async () => {
    for (let i = 0; i < ITEM_BATCH; i++) {
      fifo.put(n)
      await queue.put(n++)
    }
    const items: number[] = []
    for (let i = 0; i < ITEM_BATCH; i++) items.push(await queue.get({ timeout: WAIT_MS }))
    fifo.got(items)
  }
}

/** A pool per map, as a script would make one: its keys and client must go with it. */
function poolRound(mp: Context) {
  const items = Array.from({ length: POOL_ITEMS }, (_, i) => i)
  return async () => {
    const pool = mp.pool({ queue: POOL_QUEUE })
    let mapped = false
    try {
      const results = await pool.mapAsync<number>('double', items).get({ timeout: WAIT_MS })
      mapped = true
      const wrong = results.findIndex((result, i) => result !== 2 * i)
      expect(
        results.length === POOL_ITEMS && wrong < 0,
        () => `pool: ${results.length} results, item ${wrong} is ${results[wrong]}`,
      )
    } finally {
      if (mapped) pool.close()
      else await pool.terminate()
      await pool.join()
    }
  }
}

/** Acquire, hold, release; `guard` counts the holders in this process, which may never pass `most`. */
function holdRound(primitive: Lock | Semaphore, guard: { holders: number }, most: number) {
  return async () => {
    const acquired = await primitive.acquire({ timeout: WAIT_MS })
    expect(acquired, () => `${primitive.name}: not acquired within ${WAIT_MS} ms`)
    guard.holders++
    try {
      expect(guard.holders <= most, () => `${primitive.name}: ${guard.holders} holders at once`)
      await sleep(HOLD_MS)
    } finally {
      guard.holders--
      await primitive.release()
    }
  }
}

/** State through the api: the list is popped as it is appended to, so it stays short. */
function httpRound(manager: RemoteManager) {
  const dict = manager.dict<{ n: number }>('soak-dict')
  const list = manager.list<number>('soak-list')
  const counter = manager.value<number>('soak-counter', 0)
  let n = 0
  return async () => {
    n++
    const key = `k${n % HTTP_KEYS}`
    const [, , total] = await Promise.all([dict.set(key, { n }), list.append(n), counter.add(1)])
    const [stored, popped] = await Promise.all([dict.get(key), list.pop(0)])
    expect(
      stored?.n === n && popped === n && total === n,
      () => `http: round ${n} read dict ${stored?.n}, list ${popped}, counter ${total}`,
    )
  }
}
