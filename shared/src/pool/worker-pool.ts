import { type RemoteFailure, ShutDown } from '../errors.js'
import { longTimeout } from '../timers.js'
import {
  PoolWorker,
  type WorkerConfig,
  type WorkerKind,
  type WorkerMessage,
} from './pool-worker.js'
import { type ChunkOutcome, type ChunkRequest, chunkFailed } from './wire.js'

export interface WorkerPoolOptions {
  kind: WorkerKind
  /** Workers at most; they start as work comes. */
  size: number
  config: WorkerConfig
  /** Chunks a worker runs before a fresh one replaces it. @default no limit */
  maxTasksPerChild?: number
}

/** A chunk waiting for a worker, or running on one; settled once. */
interface Run {
  request: ChunkRequest
  /** The longest one item may run, ms. */
  timeoutMs: number | undefined
  settle(outcome: ChunkOutcome): void
  fail(error: unknown): void
}

interface Slot {
  worker: PoolWorker
  state: 'starting' | 'idle' | 'busy'
  run: Run | undefined
  chunksRun: number
  /** Cancels the timer of the item running, when the chunk has a timeout. */
  disarm: () => void
}

/**
 * The workers of a local pool — threads of this process or child processes —
 * each running one chunk at a time, so that a chunk starts the moment it is
 * handed to a worker. That is what lets the pool bound each item's run time
 * (a worker whose item runs past its timeout is stopped and replaced), retire
 * a worker after `maxTasksPerChild` chunks, and tell which task was running
 * when a worker died. A worker that dies is replaced as work comes.
 */
export class WorkerPool {
  private readonly options: WorkerPoolOptions
  private readonly waiting: Run[] = []
  private readonly slots = new Set<Slot>()
  private closed = false

  constructor(options: WorkerPoolOptions) {
    this.options = options
  }

  /** Runs a chunk on the first free worker; `signal` cancels it, stopping its worker if it runs. */
  run(request: ChunkRequest, signal: AbortSignal): Promise<ChunkOutcome> {
    return new Promise((resolve, reject) => {
      signal.throwIfAborted()
      if (this.closed) throw new ShutDown("the pool's workers were stopped")
      const { timeout, ...work } = request
      let settled = false
      const once =
        <T>(finish: (value: T) => void) =>
        (value: T) => {
          if (settled) return
          settled = true
          signal.removeEventListener('abort', cancel)
          finish(value)
        }
      const run: Run = {
        request: work,
        timeoutMs: timeout,
        settle: once(resolve),
        fail: once(reject),
      }
      const cancel = () => this.cancel(run, signal.reason)
      signal.addEventListener('abort', cancel, { once: true })
      this.waiting.push(run)
      this.dispatch()
    })
  }

  /** Stops every worker: gracefully (`close`) once idle, or at once (`terminate`). */
  async stop(force: boolean): Promise<void> {
    this.closed = true
    const stopped = new ShutDown("the pool's workers were stopped")
    for (const run of this.waiting.splice(0)) run.fail(stopped)
    const slots = [...this.slots]
    this.slots.clear()
    for (const slot of slots) {
      slot.disarm()
      slot.run?.fail(stopped)
    }
    await Promise.all(slots.map((slot) => slot.worker.stop(force)))
  }

  /** Hands waiting chunks to idle workers, and starts workers for the rest, up to `size`. */
  private dispatch(): void {
    let starting = 0
    for (const slot of this.slots) {
      if (slot.state === 'starting') starting++
      else if (slot.state === 'idle' && this.waiting.length > 0)
        this.assign(slot, this.waiting.shift() as Run)
    }
    while (this.waiting.length > starting && this.slots.size < this.options.size) {
      this.spawn()
      starting++
    }
  }

  private spawn(): void {
    const slot: Slot = {
      worker: new PoolWorker(this.options.kind, this.options.config, {
        message: (message) => this.onMessage(slot, message),
        exit: (how) => this.onExit(slot, how),
      }),
      state: 'starting',
      run: undefined,
      chunksRun: 0,
      disarm: () => {},
    }
    this.slots.add(slot)
  }

  private assign(slot: Slot, run: Run): void {
    slot.state = 'busy'
    slot.run = run
    slot.worker.hold(true)
    this.arm(slot)
    slot.worker.post({ request: run.request, tick: run.timeoutMs !== undefined })
  }

  /** Starts the timer of the item about to run: at the chunk's start, and at each tick after. */
  private arm(slot: Slot): void {
    slot.disarm()
    const timeoutMs = slot.run?.timeoutMs
    if (timeoutMs === undefined) return
    slot.disarm = longTimeout(() => this.expire(slot, timeoutMs), timeoutMs, { unref: true })
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    if (!this.slots.has(slot)) return
    if ('tick' in message) {
      this.arm(slot)
      return
    }
    if ('ready' in message) {
      slot.state = 'idle'
      slot.worker.hold(false)
    } else if ('startFailed' in message) {
      this.remove(slot, true)
      this.failWaiting(slot, `the ${slot.worker.name} could not start: ${message.startFailed}`)
    } else {
      const run = slot.run as Run
      slot.disarm()
      slot.run = undefined
      slot.chunksRun++
      run.settle(message.outcome)
      const { maxTasksPerChild } = this.options
      if (maxTasksPerChild !== undefined && slot.chunksRun >= maxTasksPerChild)
        this.remove(slot, false)
      else {
        slot.state = 'idle'
        slot.worker.hold(false)
      }
    }
    this.dispatch()
  }

  /** A worker ended by itself: a task called `process.exit`, crashed it, or it was killed. */
  private onExit(slot: Slot, how: string): void {
    if (!this.slots.delete(slot)) return
    slot.disarm()
    if (slot.run) {
      const task = slot.run.request.task
      const message = `the ${slot.worker.name} ${how} while running the task`
      slot.run.settle(failure(slot, task, 'REMOTE_TASK_FAILED', message))
    } else if (slot.state === 'starting') {
      this.failWaiting(slot, `the ${slot.worker.name} ${how} as it started`)
    }
    this.dispatch()
  }

  /** Stops a worker whose item ran past the timeout: the only way to end a task that does not yield. */
  private expire(slot: Slot, timeoutMs: number): void {
    const run = slot.run
    if (!run || !this.slots.has(slot)) return
    this.remove(slot, true)
    const message = `the task ran longer than its timeout of ${timeoutMs} ms; its ${slot.worker.name} was stopped`
    run.settle(failure(slot, run.request.task, 'TIMEOUT', message))
    this.dispatch()
  }

  private cancel(run: Run, reason: unknown): void {
    const index = this.waiting.indexOf(run)
    if (index >= 0) this.waiting.splice(index, 1)
    for (const slot of this.slots) if (slot.run === run) this.remove(slot, true)
    run.fail(reason)
    // After the other cancels of the same abort: terminate() starts no worker for them.
    queueMicrotask(() => this.dispatch())
  }

  /**
   * A worker that cannot start fails the chunks waiting, which would meet the
   * same fate, rather than being started again and again; the next chunk
   * tries again.
   */
  private failWaiting(slot: Slot, message: string): void {
    for (const run of this.waiting.splice(0)) {
      run.settle(failure(slot, run.request.task, 'REMOTE_TASK_FAILED', message))
    }
  }

  private remove(slot: Slot, force: boolean): void {
    this.slots.delete(slot)
    slot.disarm()
    void slot.worker.stop(force)
  }
}

function failure(slot: Slot, task: string, code: RemoteFailure['code'], message: string) {
  return chunkFailed(task, code, message, slot.worker)
}
