import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import type { Json } from '../codec.js'
import { moduleUrl } from '../tasks-module.js'
import type { PoolBackend } from './backend.js'
import type { WorkerKind } from './pool-worker.js'
import type { ChunkOutcome, ChunkRequest } from './wire.js'
import { WorkerPool } from './worker-pool.js'

export interface LocalBackendOptions {
  /** Threads of this process, or child processes, which a crashing task cannot take down with it. */
  workers: WorkerKind
  /** The tasks module (a path or URL) each worker loads. */
  tasks: string | URL
  /** Workers. @default os.availableParallelism() */
  processes?: number
  /** A task each worker runs once as it starts, with `initargs`, as Python's `initializer`. */
  initializer?: string
  /** @default [] */
  initargs?: Json[]
  /** Chunks a worker runs before a fresh one replaces it, as Python's `maxtasksperchild`. @default no limit */
  maxTasksPerChild?: number
}

/** Runs chunks on worker threads of this process, or on child processes of it. */
export class LocalBackend implements PoolBackend {
  private readonly workers: WorkerPool
  private readonly kind: WorkerKind
  private readonly size: number

  constructor(options: LocalBackendOptions) {
    this.kind = options.workers
    this.size = options.processes ?? availableParallelism()
    this.workers = new WorkerPool({
      kind: options.workers,
      size: this.size,
      config: {
        // `.ts` when this library runs from source under a TypeScript loader
        runner: new URL(`./chunk${extname(import.meta.url)}`, import.meta.url).href,
        tasksModule: moduleUrl(options.tasks),
        ...(options.initializer === undefined ? {} : { initializer: options.initializer }),
        initargs: options.initargs ?? [],
      },
      ...(options.maxTasksPerChild === undefined
        ? {}
        : { maxTasksPerChild: options.maxTasksPerChild }),
    })
  }

  async capacity(): Promise<number> {
    return this.size
  }

  run(request: ChunkRequest, signal: AbortSignal): Promise<ChunkOutcome> {
    return this.workers.run(request, signal)
  }

  async describe(): Promise<string> {
    return `${this.size} worker ${this.kind === 'threads' ? 'threads' : 'processes'}`
  }

  /** Lets the workers finish and end. */
  close(): Promise<void> {
    return this.workers.stop(false)
  }

  /** Queued chunks were cancelled through their signals; running ones end with their workers. */
  terminate(): Promise<void> {
    return this.workers.stop(true)
  }
}
