import {
  type Context,
  type JobCounts,
  listQueues,
  listWorkers,
  type WorkerInfo,
} from '@redproc/shared'

/** A joinable queue's counts, as `JoinableQueue.counts()` gives them, with its name. */
export interface QueueCounts extends JobCounts {
  name: string
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
