import type { Logger } from '@redproc/service-kit'
import { type Context, inspectSync, type SyncState, type WorkerInfo } from '@redproc/shared'
import type { EventHub } from './event-hub.js'
import { type QueueCounts, readQueues, readWorkers } from './queue-source.js'
import { RateWindow } from './rate-window.js'

export interface QueueSummary extends QueueCounts {
  /** Jobs finished per second over the last minute. */
  completedPerSecond: number
  failedPerSecond: number
}

export interface WorkerSummary extends WorkerInfo {
  /** Dead: its heartbeats stopped; shown for `DEAD_SHOWN_MS`, then aged out. */
  state: 'live' | 'dead'
}

export interface Snapshot {
  at: number
  queues: QueueSummary[]
  workers: WorkerSummary[]
  sync: SyncState[]
}

/** How long a worker whose heartbeats stopped stays listed as dead. */
export const DEAD_SHOWN_MS = 60_000

/**
 * Reads the namespace's queues, workers and synchronization objects, and
 * turns changes between two reads into events: `worker:up`, `worker:down`,
 * `queue:drained`, `queue:joined`, `job:completed` and `job:failed` (counts
 * since the last read). Polls only while someone listens.
 */
export class Monitor {
  private latest: Snapshot | undefined
  private reading: Promise<Snapshot> | undefined
  private readonly rates = new RateWindow(60_000)
  private readonly dead = new Map<string, WorkerSummary>()
  private timer: NodeJS.Timeout | undefined
  private readonly watchers: Array<(snapshot: Snapshot) => void> = []

  constructor(
    private readonly mp: Context,
    private readonly hub: EventHub,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  /** Calls `watcher` with every new snapshot. */
  onSnapshot(watcher: (snapshot: Snapshot) => void): void {
    this.watchers.push(watcher)
  }

  /** A fresh snapshot, shared by callers that ask at the same time. */
  snapshot(): Promise<Snapshot> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined
    })
    return this.reading
  }

  /** Starts polling (for the SSE listeners); idempotent. */
  start(): void {
    if (this.timer) return
    const tick = async () => {
      try {
        this.hub.broadcast('state', await this.snapshot())
      } catch (error) {
        this.logger.warn({ err: error }, 'monitor read failed')
      }
      if (this.timer) this.timer = setTimeout(tick, this.intervalMs)
    }
    this.timer = setTimeout(tick, 0)
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private async read(): Promise<Snapshot> {
    const [queues, workers, sync] = await Promise.all([
      readQueues(this.mp),
      readWorkers(this.mp),
      inspectSync(this.mp),
    ])
    const at = Date.now()
    const previous = this.latest
    const snapshot: Snapshot = {
      at,
      queues: queues.map((queue) => this.summarize(queue, at)),
      workers: this.trackWorkers(workers, at),
      sync,
    }
    if (previous) this.publishChanges(previous, snapshot)
    this.latest = snapshot
    for (const watcher of this.watchers) watcher(snapshot)
    return snapshot
  }

  private summarize(queue: QueueCounts, at: number): QueueSummary {
    this.rates.record(`${queue.name}:completed`, queue.totals.completed, at)
    this.rates.record(`${queue.name}:failed`, queue.totals.failed, at)
    return {
      ...queue,
      completedPerSecond: this.rates.perSecond(`${queue.name}:completed`),
      failedPerSecond: this.rates.perSecond(`${queue.name}:failed`),
    }
  }

  /** Live workers, and those that vanished within DEAD_SHOWN_MS, marked dead. */
  private trackWorkers(live: WorkerInfo[], at: number): WorkerSummary[] {
    const liveIds = new Set(live.map((worker) => worker.id))
    for (const worker of this.latest?.workers ?? []) {
      if (worker.state === 'live' && !liveIds.has(worker.id)) {
        this.dead.set(worker.id, { ...worker, state: 'dead' })
      }
    }
    for (const [id, worker] of this.dead) {
      if (liveIds.has(id) || at - worker.lastSeenAt > DEAD_SHOWN_MS) this.dead.delete(id)
    }
    return [
      ...live.map((worker): WorkerSummary => ({ ...worker, state: 'live' })),
      ...this.dead.values(),
    ]
  }

  private publishChanges(before: Snapshot, after: Snapshot): void {
    const wasLive = new Set(before.workers.filter((w) => w.state === 'live').map((w) => w.id))
    const isLive = new Set(after.workers.filter((w) => w.state === 'live').map((w) => w.id))
    for (const worker of after.workers) {
      if (worker.state === 'live' && !wasLive.has(worker.id)) this.hub.publish('worker:up', worker)
      if (worker.state === 'dead' && wasLive.has(worker.id) && !isLive.has(worker.id)) {
        this.hub.publish('worker:down', worker)
      }
    }
    const earlier = new Map(before.queues.map((queue) => [queue.name, queue]))
    for (const queue of after.queues) {
      const old = earlier.get(queue.name)
      if (!old) continue
      const completed = queue.totals.completed - old.totals.completed
      const failed = queue.totals.failed - old.totals.failed
      if (completed > 0) this.hub.publish('job:completed', { queue: queue.name, count: completed })
      if (failed > 0) this.hub.publish('job:failed', { queue: queue.name, count: failed })
      if (
        old.waiting + old.active + old.delayed > 0 &&
        queue.waiting + queue.active + queue.delayed === 0
      ) {
        this.hub.publish('queue:drained', { queue: queue.name })
      }
      if (old.unfinished > 0 && queue.unfinished === 0) {
        this.hub.publish('queue:joined', { queue: queue.name })
      }
    }
  }
}
