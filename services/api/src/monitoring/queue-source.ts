import type { Context, WorkerInfo } from '@redproc/shared'

/** A joinable queue's counts, as `JoinableQueue.counts()` gives them. */
export interface QueueCounts {
  name: string
  waiting: number
  active: number
  delayed: number
  completed: number
  failed: number
  /** Put and not yet acknowledged: what join() waits on. */
  unfinished: number
}

/**
 * The only place the api reads queues and workers from the library. Queue
 * enumeration, counts and `listWorkers()` for a whole namespace arrive with
 * the services' library additions; until they are merged these read nothing.
 */
export async function readQueues(_mp: Context): Promise<QueueCounts[]> {
  return []
}

export async function readWorkers(_mp: Context): Promise<WorkerInfo[]> {
  return []
}
