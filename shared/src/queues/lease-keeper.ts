import type { Context } from '../context.js'
import { Script } from '../redis/script.js'
import { timerDelay } from '../timers.js'
import type { BullmqLayout } from './bullmq-layout.js'

const renewScript = new Script<number[]>('joinable-queue-renew')
const recoverScript = new Script<string[] | null>('joinable-queue-recover')

/** One item a consumer took: the BullMQ job id, the token its lock holds, its JSON. */
export interface Taken {
  readonly id: string
  readonly token: string
  readonly data: string
  /** Whether a put counted it as unfinished (read by the take, for the ack). */
  readonly counted: boolean
}

/**
 * Keeps the leases of one consumer handle alive, and recovers the items of
 * consumers that died: while the handle holds items or waits for some, every
 * third of the lease it renews its locks and runs the stalled-job check,
 * which puts the jobs whose lock lapsed back at the head of the wait list
 * (and wakes a getter), as BullMQ's `extendLocks` and stalled-job check do.
 * That check is guarded in Redis, so however many consumers run it, it runs
 * once per period.
 */
export class LeaseKeeper {
  private readonly leases = new Set<Taken>()
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | undefined
  private readonly renewing = new Set<Promise<void>>()
  /** When the last renewal started (`performance.now()`). */
  private renewedAt = Number.NEGATIVE_INFINITY
  private closed = false

  constructor(
    private readonly mp: Context,
    private readonly layout: BullmqLayout,
    private readonly leaseMs: number,
    /** Whether the handle still consumes (a get is waiting), so checks go on. */
    private readonly waiting: () => boolean,
  ) {}

  /** The period of renewals and checks. */
  get periodMs(): number {
    return Math.max(10, Math.floor(this.leaseMs / 3))
  }

  add(items: Iterable<Taken>): void {
    for (const item of items) this.leases.add(item)
  }

  remove(items: Iterable<Taken>): void {
    for (const item of items) this.leases.delete(item)
  }

  /** Starts renewing and checking, at once, if it is not running yet. */
  start(): void {
    if (this.closed || this.timer || this.ticking) return
    // Unref'd: a lease never keeps a process alive (an item held at exit is
    // put back when the context closes); a waiting get holds it by itself.
    this.timer = setTimeout(() => this.tick(), 0).unref()
  }

  /**
   * Renews now if a period has passed since the last renewal: for a consumer
   * about to start a long stretch of work, during which its timer cannot fire.
   */
  renewIfDue(): void {
    if (this.closed || performance.now() - this.renewedAt < this.periodMs) return
    this.renew().catch((error) => this.warn(error))
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.ticking
    await Promise.allSettled(this.renewing)
    this.leases.clear()
  }

  private tick(): void {
    this.timer = undefined
    this.ticking = this.renewAndCheck().finally(() => {
      this.ticking = undefined
      if (!this.closed && (this.leases.size > 0 || this.waiting())) {
        this.timer = setTimeout(() => this.tick(), timerDelay(this.periodMs)).unref()
      }
    })
  }

  /**
   * Extends every lock this handle holds, in one command sent ahead of the
   * check and not waiting for it: under CPU-bound work a reply is read only
   * between items, and a renewal queued behind anything else could come too late.
   */
  private renew(): Promise<void> {
    this.renewedAt = performance.now()
    const leases = [...this.leases]
    if (leases.length === 0) return Promise.resolve()
    const renewing = renewScript
      .run(
        this.mp.redis,
        leases.map((lease) => this.layout.lockKey(lease.id)),
        [this.leaseMs, ...leases.map((lease) => lease.token)],
      )
      .then((lost) => {
        // A lapsed lock may be someone else's now: stop renewing, the ack will tell.
        for (const position of lost) this.leases.delete(leases[position - 1] as Taken)
      })
      .finally(() => this.renewing.delete(renewing))
    this.renewing.add(renewing)
    return renewing
  }

  private async renewAndCheck(): Promise<void> {
    try {
      const renewed = this.renew().catch((error) => this.warn(error))
      const { keys, jobKeyPrefix } = this.layout
      const recovered = await recoverScript.run(
        this.mp.redis,
        [keys.active, keys.wait, keys.stalledCheck, keys.events, keys.marker, keys.meta],
        [jobKeyPrefix, Date.now(), this.periodMs],
      )
      if (recovered && recovered.length > 0) {
        this.mp.options.logger.info(
          { queue: this.layout.queueName, jobs: recovered },
          'joinable queue: items of a lost consumer are queued again',
        )
      }
      await renewed
    } catch (error) {
      this.warn(error)
    }
  }

  private warn(error: unknown): void {
    this.mp.options.logger.warn(
      { err: error, queue: this.layout.queueName },
      'joinable queue: lease renewal failed; retrying next period',
    )
  }
}
