import { randomUUID } from 'node:crypto'
import { blockingClients } from '../redis/blocking-clients.js'
import { withinDeadline } from '../redis/call-deadline.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { abortedError, checkWaitOptions, Deadline, isAbortOf, type WaitOptions } from '../waits.js'
import { LISTEN_GRACE_MS, MAX_BLOCK_MS, WaitQueue } from './waiting.js'

const eventWait = new Script<number>('event-wait')
const eventSet = new Script<number>('event-set')

/**
 * `multiprocessing.Event`: a flag that `set` raises and `clear` lowers;
 * `wait` returns as soon as it is raised, woken by `set` itself.
 */
export class Event extends SharedObject {
  private readonly queue: WaitQueue

  constructor(mp: Scope, name: string) {
    super(mp, 'event', name)
    this.queue = new WaitQueue(this.objectKeys)
  }

  async isSet(): Promise<boolean> {
    return (await this.call((redis) => redis.exists(this.key))) === 1
  }

  /** Raises the flag and wakes every waiter. */
  async set(): Promise<void> {
    await this.call((redis) =>
      eventSet.run(redis, [this.key, this.queue.waiters], [this.queue.wakePrefix]),
    )
  }

  async clear(): Promise<void> {
    await this.call((redis) => redis.del(this.key))
  }

  /**
   * Waits until the flag is set: true once it is (or was, while this wait
   * listened: a `set` and `clear` in quick succession still wake it), false
   * when `timeout` ran out. `ABORTED` when `signal` aborts first, no longer
   * listed as a waiter.
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeoutMs, signal } = checkWaitOptions(options, 'wait')
    return withinDeadline(timeoutMs, () => this.waitBy(timeoutMs, signal))
  }

  private async waitBy(
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const waiterId = randomUUID()
    const wakeKey = this.queue.wakeKey(waiterId)
    const deadline = new Deadline(timeoutMs)
    // Blocks of at most MAX_BLOCK_MS, each after a fresh look at the flag: a
    // wake-up lost with a dropped connection delays the wait, never strands it.
    for (;;) {
      const block = timeoutMs === 0 ? 0 : deadline.nextBlock(MAX_BLOCK_MS)
      const set = await this.call((redis) =>
        eventWait.run(redis, [this.key, this.queue.waiters], [waiterId, block, LISTEN_GRACE_MS]),
      )
      if (set === 1) return true
      if (block === 0) return false
      const woken = await this.call(() =>
        blockingClients(this.mp).popWake(wakeKey, block, signal, 'wait'),
      ).catch((error: unknown) => {
        if (isAbortOf(error, signal)) return null
        throw error
      })
      if (woken !== null) return true
      if (deadline.expired || signal?.aborted) break
    }
    // A set that raced the timeout counts; an aborted wait's wake-up may be in its receipt.
    const receipt = this.queue.receiptKey(waiterId)
    const replies = await this.call((redis) =>
      redis.multi().zrem(this.queue.waiters, waiterId).lpop(wakeKey).del(wakeKey, receipt).exec(),
    )
    if (signal?.aborted) throw abortedError(signal, 'wait')
    return replies?.[1]?.[1] != null
  }
}
