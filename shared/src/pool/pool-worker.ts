import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Json } from '../codec.js'
import type { ChunkOutcome, ChunkRequest } from './wire.js'

/** Where a local pool runs its tasks: threads of this process, or child processes. */
export type WorkerKind = 'threads' | 'processes'

/** What each worker loads as it starts. */
export interface WorkerConfig {
  /** The URL of the module that exports `runChunk`. */
  runner: string
  /** The URL of the tasks module. */
  tasksModule: string
  /** A task the worker runs once, with `initargs`, before any chunk. */
  initializer?: string
  initargs: Json[]
}

/** What the pool sends a worker: a chunk, and whether to tick as each item after the first starts. */
export interface WorkOrder {
  request: ChunkRequest
  tick: boolean
}

/** What a worker tells its pool. */
export type WorkerMessage =
  | { ready: true }
  | { startFailed: string }
  | { tick: true }
  | { outcome: ChunkOutcome }

export interface WorkerEvents {
  message(message: WorkerMessage): void
  /** The worker ended by itself (not through `stop`); `how` says how, for messages. */
  exit(how: string): void
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url)

/** Flags of this process a child must not copy: a debugger port, the test runner, a watcher. */
const NOT_FORWARDED = /^--(inspect|debug|test|watch|cpu-prof|heap-prof)/

/**
 * One worker of a local pool: a worker thread, or a child process forked with
 * an IPC channel, running `worker-entry.mjs`. The two speak the same
 * messages; only how they start, talk and end differs.
 */
export class PoolWorker {
  readonly kind: WorkerKind
  /** The process the tasks run in. */
  readonly pid: number
  /** The thread the tasks run on; 0 for a child process's main thread. */
  readonly threadId: number
  private readonly thread: Worker | undefined
  private readonly child: ChildProcess | undefined
  private readonly exited: Promise<void>
  private stopping = false

  constructor(kind: WorkerKind, config: WorkerConfig, events: WorkerEvents) {
    this.kind = kind
    let ended!: () => void
    this.exited = new Promise((resolve) => {
      ended = resolve
    })
    let gone = false
    const exit = (how: string) => {
      if (gone) return
      gone = true
      ended()
      if (!this.stopping) events.exit(how)
    }
    if (kind === 'threads') {
      const thread = new Worker(ENTRY, { workerData: config })
      let thrown: unknown
      thread.on('message', events.message)
      // An error nothing caught ends the thread: it comes before the exit.
      thread.on('error', (error) => {
        thrown = error
      })
      thread.on('exit', (code) =>
        exit(thrown === undefined ? `exited with code ${code}` : `failed: ${messageOf(thrown)}`),
      )
      this.thread = thread
      this.pid = process.pid
      this.threadId = thread.threadId
    } else {
      // The parent's flags (`--import tsx`, a heap limit) apply to the child as well.
      const execArgv = process.execArgv.filter((flag) => !NOT_FORWARDED.test(flag))
      const child = fork(fileURLToPath(ENTRY), [], {
        execArgv,
        serialization: 'advanced',
        // No stdin, as Python gives its pool's processes: the caller's terminal stays the caller's.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      child.on('message', (message: WorkerMessage | { hello: true }) => {
        // The child asks for its config once it listens: a message sent earlier could be lost.
        if ('hello' in message) child.send({ config })
        else events.message(message)
      })
      child.on('exit', (code, signal) =>
        exit(signal ? `was killed by ${signal}` : `exited with code ${code}`),
      )
      // Spawning failed, or the channel broke: the exit follows, or never comes.
      child.on('error', (error) => {
        if (child.pid === undefined) exit(`could not start: ${error.message}`)
      })
      this.child = child
      this.pid = child.pid ?? 0
      this.threadId = 0
    }
  }

  /** How messages name it: `worker thread 3`, `worker process 1234`. */
  get name(): string {
    return this.kind === 'threads' ? `worker thread ${this.threadId}` : `worker process ${this.pid}`
  }

  post(order: WorkOrder): void {
    if (this.thread) this.thread.postMessage(order)
    // A child that died meanwhile reports its exit; the failed send adds nothing.
    else this.child?.send(order, () => {})
  }

  /** Holds this process open while the worker has work: an idle pool lets a script end. */
  hold(busy: boolean): void {
    const handle = this.thread ?? this.child
    if (busy) {
      handle?.ref()
      this.child?.channel?.ref()
    } else {
      handle?.unref()
      this.child?.channel?.unref()
    }
  }

  /**
   * Ends the worker and resolves once it is gone. `force` ends a child process
   * at once (SIGKILL), as a timed-out task needs; otherwise the child closes
   * its channel and exits by itself. A thread is terminated either way.
   */
  stop(force: boolean): Promise<void> {
    this.stopping = true
    // Held while it ends, so that this process waits for its exit.
    this.hold(true)
    if (this.thread) void this.thread.terminate()
    else if (force || !this.child?.connected) this.child?.kill('SIGKILL')
    else this.child.disconnect()
    return this.exited
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
