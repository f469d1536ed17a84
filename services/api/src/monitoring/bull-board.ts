import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import { BullmqLayout, type Context } from '@redproc/shared'
import { Queue } from 'bullmq'
import type { Router } from 'express'

/**
 * bull-board at `basePath`, for per-job inspection: each joinable queue is a
 * BullMQ queue with its own prefix (its object's key stem), so bull-board
 * opens it with BullMQ's own classes. `show` keeps its list in step with the
 * queues the monitor finds.
 */
export function bullBoard(mp: Context, basePath: string) {
  const serverAdapter = new ExpressAdapter()
  serverAdapter.setBasePath(basePath)
  const board = createBullBoard({ queues: [], serverAdapter })
  const queues = new Map<string, Queue>()
  return {
    router: serverAdapter.getRouter() as Router,
    show(names: string[]): void {
      if (names.length === queues.size && names.every((name) => queues.has(name))) return
      for (const name of names) {
        if (queues.has(name)) continue
        const layout = new BullmqLayout(mp.keys('joinable-queue', name), name)
        queues.set(
          name,
          new Queue(layout.queueName, { prefix: layout.prefix, connection: mp.redis }),
        )
      }
      board.replaceQueues(
        [...queues.values()].map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
      )
    },
    async close(): Promise<void> {
      await Promise.all([...queues.values()].map((queue) => queue.close()))
    },
  }
}
