import type { Logger } from '@redproc/service-kit'
import type { Context } from '@redproc/shared'
import { bullBoard } from './bull-board.js'
import { EventHub } from './event-hub.js'
import { Monitor } from './monitor.js'

export interface Monitoring {
  monitor: Monitor
  hub: EventHub
  board: ReturnType<typeof bullBoard>
  /** Stops polling and closes bull-board's queue handles; the context stays open. */
  close(): Promise<void>
}

/** The monitor, its event stream and bull-board, kept in step: what the api shows. */
export function createMonitoring(
  mp: Context,
  logger: Logger,
  options: { intervalMs?: number; boardPath?: string } = {},
): Monitoring {
  const hub = new EventHub()
  const monitor = new Monitor(mp, hub, logger.child({ component: 'monitor' }), options.intervalMs)
  const board = bullBoard(mp, options.boardPath ?? '/admin/queues')
  monitor.onSnapshot((snapshot) => board.show(snapshot.queues.map((queue) => queue.name)))
  return {
    monitor,
    hub,
    board,
    async close() {
      monitor.stop()
      await board.close()
    },
  }
}
