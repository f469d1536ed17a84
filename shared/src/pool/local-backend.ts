import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import { Piscina } from 'piscina'
import { RedprocError } from '../errors.js'
import { moduleUrl } from '../tasks-module.js'
import type { PoolBackend } from './backend.js'
import type { ChunkOutcome, ChunkRequest } from './chunk.js'

export interface LocalBackendOptions {
  /** The tasks module (a path or URL) each worker thread loads. */
  tasks: string | URL
  /** Worker threads. @default os.availableParallelism() */
  processes?: number
}

/** Runs chunks on worker threads of this process, through Piscina. */
export class LocalBackend implements PoolBackend {
  private readonly threads: Piscina<ChunkRequest, ChunkOutcome>

  constructor(options: LocalBackendOptions) {
    const processes = options.processes ?? availableParallelism()
    this.threads = new Piscina({
      filename: new URL('./thread-entry.mjs', import.meta.url).href,
      minThreads: processes,
      maxThreads: processes,
      // Piscina's run and wait time histograms cost each chunk; nothing reads them.
      recordTiming: false,
      workerData: {
        // `.ts` when this library runs from source under a TypeScript loader
        runner: new URL(`./chunk${extname(import.meta.url)}`, import.meta.url).href,
        tasksModule: moduleUrl(options.tasks),
      },
    })
  }

  async capacity(): Promise<number> {
    return this.threads.maxThreads
  }

  async run(request: ChunkRequest, signal: AbortSignal): Promise<ChunkOutcome> {
    try {
      return await this.threads.run(request, { signal })
    } catch (error) {
      if (signal.aborted) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new RedprocError('REMOTE_TASK_FAILED', `a worker thread failed: ${message}`, {
        cause: error,
      })
    }
  }

  async close(): Promise<void> {
    await this.threads.destroy()
  }

  /** Queued chunks were cancelled through their signals; running ones end with their threads. */
  terminate(): Promise<void> {
    return this.close()
  }
}
