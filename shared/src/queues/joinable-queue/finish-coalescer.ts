import { PerContext } from '../../redis/per-context.js'
import type { Scope } from '../../redis/scope.js'
import type { FinishedAs } from './items.js'

/**
 * One job for the finish script: its id, lock token, 'completed' or
 * 'failed', result JSON or error message, error code, stack, and the
 * finished jobs kept when its options do not say.
 */
export type FinishArgs = [string, string, string, string, string, string, number]

interface Pending {
  readonly args: FinishArgs
  resolve(finishedAs: FinishedAs): void
  reject(error: unknown): void
}

/** Jobs per script call: big enough to batch, small enough not to stall Redis. */
const MAX_BATCH = 500

/** One per context and queue: the finishJob() calls of a process share it. */
const registry = new PerContext<FinishCoalescer>('finishCoalescers')

/**
 * The finishJob() calls of one process to one queue, sent together. A finish
 * made while none is on its way is sent at once, so a lone finish costs what
 * it did before; those made meanwhile (the other serving slots of the
 * process) wait for it and go in one script call, which writes the queue's
 * totals and run-time counters once for all of them.
 */
export class FinishCoalescer {
  private pending: Pending[] = []
  private sending = false

  private constructor(private readonly send: (jobs: FinishArgs[]) => Promise<FinishedAs[]>) {}

  /** The coalescer of the queue whose state hash is `key` in this context, made on first use. */
  static of(
    mp: Scope,
    key: string,
    send: (jobs: FinishArgs[]) => Promise<FinishedAs[]>,
  ): FinishCoalescer {
    return registry.getOrMake(mp, key, () => new FinishCoalescer(send))
  }

  /** Finishes one job (with the others of the moment); resolves with where it went. */
  add(args: FinishArgs): Promise<FinishedAs> {
    return new Promise<FinishedAs>((resolve, reject) => {
      this.pending.push({ args, resolve, reject })
      if (!this.sending) void this.sendPending()
    })
  }

  private async sendPending(): Promise<void> {
    this.sending = true
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH)
        try {
          const outcomes = await this.send(batch.map((finish) => finish.args))
          for (let i = 0; i < batch.length; i++)
            (batch[i] as Pending).resolve(outcomes[i] as FinishedAs)
        } catch (error) {
          for (const finish of batch) finish.reject(error)
        }
      }
    } finally {
      this.sending = false
    }
  }
}
