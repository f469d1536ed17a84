import type { Command } from 'commander'
import type { Context } from '../context.js'
import { listObjects } from '../objects.js'
import type { JobCounts } from '../queues/joinable-queue/job-store.js'
import type { Lease } from '../queues/joinable-queue/leases.js'
import { listQueues } from '../queues/queue-registry.js'
import { listWorkers, type WorkerInfo } from '../queues/workers.js'
import { inspectSync, type SyncState } from '../synchronize/inspect.js'
import { withContext } from './global-options.js'
import { duration, type Paint, print, table } from './output.js'

/** Who holds leased items of a queue: a process, and how many it holds. */
export interface Holder {
  /** Null for leases that lapsed: their holder stopped renewing them. */
  host: string | null
  pid: number | null
  leased: number
}

export interface JoinableQueueStatus extends Omit<JobCounts, 'runTimes'> {
  name: string
  /** Live workers serving it. */
  workers: number
  holders: Holder[]
}

export interface Status {
  namespace: string
  joinableQueues: JoinableQueueStatus[]
  queues: Array<{ name: string; size: number }>
  workers: Array<WorkerInfo & { leased: number }>
  sync: SyncState[]
}

/** The most leases read per queue: enough to tell who holds what. */
const LEASES_READ = 1000

export function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'queues (waiting, leased, unfinished, who holds what), live workers and sync objects',
    )
    .action(async (_options, command: Command) => {
      await withContext(command, async (mp, { json }) => {
        const status = await readStatus(mp)
        print(json, status, (paint) => renderStatus(status, paint))
      })
    })
}

/** One look at the namespace: every joinable and plain queue, the live workers, the sync objects. */
export async function readStatus(mp: Context): Promise<Status> {
  const [registered, objects, workers, sync] = await Promise.all([
    listQueues(mp),
    listObjects(mp),
    listWorkers(mp),
    inspectSync(mp),
  ])
  // A queue is registered once it took a job or was served; one only put to is found by its keys.
  const joinableNames = new Set(registered)
  const plainNames: string[] = []
  for (const { kind, name } of objects) {
    if (kind === 'joinable-queue') joinableNames.add(name)
    if (kind === 'queue') plainNames.push(name)
  }
  const joinableQueues = await Promise.all(
    [...joinableNames].sort().map(async (name) => {
      const queue = mp.joinableQueue(name)
      try {
        const [{ runTimes: _, ...counts }, leases] = await Promise.all([
          queue.counts(),
          queue.leases({ limit: LEASES_READ }),
        ])
        const serving = workers.filter((worker) => worker.queue === name).length
        return { name, ...counts, workers: serving, holders: holdersOf(leases) }
      } finally {
        await queue.close()
      }
    }),
  )
  const queues = await Promise.all(
    plainNames.map(async (name) => {
      const queue = mp.queue(name)
      return { name, size: await queue.qsize() }
    }),
  )
  const held = (worker: WorkerInfo) =>
    joinableQueues
      .find((queue) => queue.name === worker.queue)
      ?.holders.find((holder) => holder.host === worker.host && holder.pid === worker.pid)
      ?.leased ?? 0
  return {
    namespace: mp.options.namespace,
    joinableQueues,
    queues,
    workers: workers.map((worker) => ({ ...worker, leased: held(worker) })),
    sync,
  }
}

function holdersOf(leases: Lease[]): Holder[] {
  const holders = new Map<string, Holder>()
  for (const { host, pid } of leases) {
    const id = `${host}\u0000${pid}`
    const holder = holders.get(id) ?? { host, pid, leased: 0 }
    holder.leased++
    holders.set(id, holder)
  }
  return [...holders.values()].sort((a, b) => b.leased - a.leased)
}

function renderStatus(status: Status, paint: Paint): string {
  const right = (heading: string) => ({ heading, align: 'right' as const })
  const joinable = table(
    [
      { heading: 'JOINABLE QUEUE' },
      right('WAITING'),
      right('LEASED'),
      right('DELAYED'),
      right('UNFINISHED'),
      right('COMPLETED'),
      right('FAILED'),
      right('WORKERS'),
      { heading: 'HELD BY' },
    ],
    status.joinableQueues.map((queue) => [
      queue.shutdown ? `${queue.name} (shut down)` : queue.name,
      String(queue.waiting),
      String(queue.active),
      String(queue.delayed),
      String(queue.unfinished),
      String(queue.completed),
      queue.failed > 0 ? paint('red', String(queue.failed)) : '0',
      String(queue.workers),
      queue.holders.map(describeHolder).join(', '),
    ]),
    paint,
    'no joinable queues',
  )
  const plain = table(
    [{ heading: 'QUEUE' }, right('ITEMS')],
    status.queues.map((queue) => [queue.name, String(queue.size)]),
    paint,
    'no queues',
  )
  const workers = table(
    [
      { heading: 'WORKER' },
      { heading: 'QUEUE' },
      right('SLOTS'),
      right('PROCESSED'),
      right('FAILED'),
      right('LEASED'),
      { heading: 'RUNNING' },
      right('UP'),
    ],
    status.workers.map((worker) => [
      `${worker.host} pid ${worker.pid}`,
      worker.queue,
      String(worker.concurrency),
      String(worker.processed),
      String(worker.failed),
      String(worker.leased),
      worker.current.join(', '),
      duration(worker.uptimeMs),
    ]),
    paint,
    'no live workers',
  )
  const sync = table(
    [{ heading: 'SYNC' }, { heading: 'NAME' }, { heading: 'STATE' }, right('WAITERS')],
    status.sync.map((state) => [
      state.kind,
      'of' in state && state.of ? `${state.name} (of ${state.of})` : state.name,
      describeSync(state),
      String(state.waiters),
    ]),
    paint,
    'no sync objects',
  )
  const title = paint('bold', `namespace '${status.namespace}'`)
  return [title, joinable, plain, workers, sync].join('\n\n')
}

function describeHolder(holder: Holder): string {
  const who = holder.host === null ? 'lapsed' : `${holder.host} pid ${holder.pid}`
  return `${who} (${holder.leased})`
}

/** One line of a sync object's state, for people. */
export function describeSync(state: SyncState): string {
  switch (state.kind) {
    case 'lock':
    case 'rlock': {
      if (!state.held) return 'free'
      const level = state.level > 1 ? `, ${state.level} deep` : ''
      const lease = state.leaseMs === null ? '' : `, lease ${duration(state.leaseMs)}`
      // Holders are handle ids (UUIDs): the first 8 characters tell them apart.
      return `held by ${state.holder?.slice(0, 8)} (token ${state.fencingToken}${level}${lease})`
    }
    case 'semaphore':
    case 'bounded-semaphore':
      return `${state.value} of ${state.initial} free, ${state.holders.length} held`
    case 'barrier':
      return `${state.waiting} of ${state.parties} arrived, generation ${state.generation}${state.broken ? ', broken' : ''}`
    case 'event':
      return state.set ? 'set' : 'clear'
    case 'condition':
      return ''
  }
}
