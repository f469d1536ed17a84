import { type Context, listQueues, listWorkers, type WorkerInfo } from '@redproc/shared'

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
  shutdown: 'graceful' | 'immediate' | null
}

/** Every joinable queue of the namespace with its counts; the handles are closed after. */
export async function readQueues(mp: Context): Promise<QueueCounts[]> {
  const names = await listQueues(mp)
  return Promise.all(
    names.map(async (name) => {
      const queue = mp.joinableQueue(name)
      try {
        return { name, ...(await queue.counts()) }
      } finally {
        await queue.close()
      }
    }),
  )
}

/** The live serving processes of every queue of the namespace. */
export function readWorkers(mp: Context): Promise<WorkerInfo[]> {
  return listWorkers(mp)
}
