import type { ChunkOutcome, ChunkRequest } from './wire.js'

/** Where a pool's chunks run: workers of this process, or serving processes anywhere. */
export interface PoolBackend {
  /** How many chunks can run at once, for the default chunksize and the window of chunks in flight. */
  capacity(): Promise<number>
  /** Runs one chunk; `signal` cancels it if it has not started. */
  run(request: ChunkRequest, signal: AbortSignal): Promise<ChunkOutcome>
  /** Where the work goes and who serves it, for the message of a wait that ran out. */
  describe(): Promise<string>
  /** Releases the backend's resources once no chunk is in flight. */
  close(): Promise<void>
  /** Stops work that has not started, wherever it waits, and releases the resources. */
  terminate(): Promise<void>
}
