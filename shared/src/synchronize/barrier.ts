import { randomUUID } from 'node:crypto'
import { BrokenBarrierError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { blockingClients } from '../redis/blocking-clients.js'
import { withinDeadline } from '../redis/call-deadline.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { abortedError, checkWaitOptions, isAbortOf, type WaitOptions } from '../waits.js'
import { checkCount, WaitQueue } from './waiting.js'

const barrierWait = new Script<[number, 0 | 1]>('barrier-wait')
const barrierTimeout = new Script<'pass' | 'broken' | 'timeout'>('barrier-timeout')
const barrierBreak = new Script<number>('barrier-break')

export interface BarrierOptions {
  /** How long `wait` waits for the other parties when it is given no timeout, in ms. @default forever */
  timeout?: number
}

const BARRIER_OPTIONS: Schema<BarrierOptions> = { timeout: option.timeout }

/**
 * `multiprocessing.Barrier`: `parties` processes call `wait`, and all of them
 * go on once the last has arrived, each with a distinct index in
 * `0..parties-1`. The barrier then serves the next generation. A wait that
 * times out breaks the barrier, as do `abort` and `reset`: every waiter then
 * fails with `BROKEN_BARRIER`.
 */
export class Barrier extends SharedObject {
  readonly parties: number
  /** The default timeout of `wait`, in ms; undefined waits forever. */
  readonly timeout: number | undefined
  private readonly queue: WaitQueue

  constructor(mp: Scope, name: string, parties: number, options?: BarrierOptions) {
    super(mp, 'barrier', name)
    this.parties = checkCount(parties, 'parties', 1)
    this.timeout = checkOptions(options, BARRIER_OPTIONS, 'barrier options').timeout
    this.queue = new WaitQueue(this.objectKeys)
  }

  /**
   * Arrives and waits for the other parties; returns this party's index.
   * `BROKEN_BARRIER` when the barrier is or becomes broken, or when
   * `timeout` (by default the barrier's) runs out — which breaks it.
   * `ABORTED` when `signal` aborts first: the abort breaks the barrier as a
   * timeout does (a party that gives up breaks it, in Python), unless this
   * generation passed or broke meanwhile.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const { timeoutMs: given, signal } = checkWaitOptions(options, 'wait')
    // An explicit Infinity waits forever, even on a barrier with a timeout.
    const timeoutMs = options?.timeout === undefined ? this.timeout : given
    return withinDeadline(timeoutMs, () => this.waitBy(timeoutMs, signal))
  }

  private async waitBy(
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const waiterId = randomUUID()
    const wakeKey = this.queue.wakeKey(waiterId)
    const [index, passed] = await this.call((redis) =>
      barrierWait.run(
        redis,
        [this.key, this.queue.waiters],
        [
          this.parties,
          waiterId,
          timeoutMs === undefined ? -1 : Math.ceil(timeoutMs),
          this.queue.wakePrefix,
        ],
      ),
    )
    if (passed === 1) return index
    let outcome = await this.call(() =>
      blockingClients(this.mp).popWake(wakeKey, timeoutMs, signal, 'wait'),
    ).catch((error: unknown) => {
      if (isAbortOf(error, signal)) return null
      throw error
    })
    outcome ??= await this.call((redis) =>
      barrierTimeout.run(
        redis,
        [this.key, this.queue.waiters, wakeKey],
        [waiterId, this.queue.wakePrefix],
      ),
    )
    if (signal?.aborted) {
      // A wait cut by the abort may have left its outcome in the receipt: this wait no longer reads it.
      await this.call((redis) => redis.del(this.queue.receiptKey(waiterId)))
      throw abortedError(signal, 'wait')
    }
    if (outcome === 'pass') return index
    throw new BrokenBarrierError(
      outcome === 'timeout'
        ? `${this.describe()}: wait() timed out after ${timeoutMs} ms, which broke the barrier`
        : `${this.describe()} was broken (aborted, reset, or another wait timed out)`,
    )
  }

  /** Breaks the barrier: current and later waits fail with `BROKEN_BARRIER` until `reset`. */
  async abort(): Promise<void> {
    await this.breakWith('abort')
  }

  /** Empties the barrier and makes it whole; current waiters fail with `BROKEN_BARRIER`. */
  async reset(): Promise<void> {
    await this.breakWith('reset')
  }

  /** How many parties are waiting now (0 while broken). */
  async nWaiting(): Promise<number> {
    const [count, broken] = await this.call((redis) => redis.hmget(this.key, 'count', 'broken'))
    return broken === '1' ? 0 : Number(count ?? 0)
  }

  /** Whether the barrier is broken. */
  async broken(): Promise<boolean> {
    return (await this.call((redis) => redis.hget(this.key, 'broken'))) === '1'
  }

  private async breakWith(mode: 'abort' | 'reset'): Promise<void> {
    await this.call((redis) =>
      barrierBreak.run(
        redis,
        [this.key, this.queue.waiters],
        [this.parties, mode, this.queue.wakePrefix],
      ),
    )
  }
}
