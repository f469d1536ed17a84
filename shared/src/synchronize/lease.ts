import { ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import type { Scope } from '../redis/scope.js'
import { timerDelay } from '../timers.js'

/**
 * The options of a holder under a lease: a lock, an rlock, a semaphore's
 * permits. `lease` is the name every leased object shares (a joinable
 * queue's items too); `ttl`, the design contract's name for a lock's, is the
 * same option under its older name.
 */
export interface LeaseOptions {
  /**
   * How long a hold outlives its holder's process, in ms. The holder renews
   * it every third of this while it runs, so only a dead (or frozen) holder
   * loses it.
   * @default 10000
   */
  lease?: number
  /** `lease`, by the name the design contract gives a lock's. */
  ttl?: number
}

export const LEASE_DEFAULTS = { lease: 10_000 } as const

const LEASE_OPTIONS: Schema<LeaseOptions> = { lease: option.integer(1), ttl: option.integer(1) }

/** A holder's lease in ms, from `lease` or `ttl` (both only when they agree). */
export function resolveLease(options: LeaseOptions | undefined, what: string): number {
  const { lease, ttl } = checkOptions(options, LEASE_OPTIONS, what)
  if (lease !== undefined && ttl !== undefined && lease !== ttl) {
    throw new ValueError(`${what}: lease ${lease} and ttl ${ttl} name one option; give one of them`)
  }
  return lease ?? ttl ?? LEASE_DEFAULTS.lease
}

export interface LeaseCallbacks {
  /** Extends the hold in Redis; false when it is no longer this holder's. */
  renew(): Promise<boolean>
  /** Gives the hold back when the context closes while it is still held. */
  release(): Promise<unknown>
}

type LeaseState = 'active' | 'lost' | 'ended'

/**
 * The renewal of one hold (a lock, an rlock, a semaphore permit): every third
 * of its TTL the holder's process extends it, so a hold outlives its holder by
 * at most one TTL. The timer is unref'd: a renewal never keeps a process alive.
 */
export class Lease {
  private state: LeaseState = 'active'
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly keeper: ContextLeases,
    readonly ttlMs: number,
    private readonly callbacks: LeaseCallbacks,
  ) {
    this.schedule()
  }

  /** Whether the last renewal found the hold taken from this holder. */
  get lost(): boolean {
    return this.state === 'lost'
  }

  /** Stops renewing: the hold was released (or is about to be). */
  end(): void {
    if (this.state === 'active') this.state = 'ended'
    this.stop()
  }

  /** @internal the context is closing: stop, and give the hold back if it is still held. */
  async close(): Promise<void> {
    const wasActive = this.state === 'active'
    this.end()
    if (wasActive) await this.callbacks.release()
  }

  private schedule(): void {
    // A lease past MAX_TIMER_MS is renewed every MAX_TIMER_MS: early, which costs nothing.
    const every = timerDelay(Math.max(1, Math.floor(this.ttlMs / 3)))
    this.timer = setTimeout(() => void this.renew(), every)
    this.timer.unref()
  }

  private async renew(): Promise<void> {
    this.timer = undefined
    let kept = true
    try {
      kept = await this.callbacks.renew()
    } catch {
      // Redis did not answer: try again at the next tick; the hold lasts a full TTL.
    }
    if (this.state !== 'active') return
    if (kept) {
      this.schedule()
    } else {
      this.state = 'lost'
      this.stop()
    }
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.keeper.forget(this)
  }
}

/** Every active lease of one context, so closing the context ends them all. */
class ContextLeases {
  private readonly leases = new Set<Lease>()
  private closed = false

  start(ttlMs: number, callbacks: LeaseCallbacks): Lease {
    const lease = new Lease(this, ttlMs, callbacks)
    this.leases.add(lease)
    // A hold taken while the context closes is not renewed: its lease ends by itself.
    if (this.closed) lease.end()
    return lease
  }

  forget(lease: Lease): void {
    this.leases.delete(lease)
  }

  async close(): Promise<void> {
    this.closed = true
    const leases = [...this.leases]
    // Giving a hold back early is a courtesy to the waiters; its lease would end anyway.
    await Promise.allSettled(leases.map((lease) => lease.close()))
  }
}

const LEASES: unique symbol = Symbol('redproc.leases')

/** Starts renewing a hold of `mp` every `ttlMs / 3` until it ends or `mp` closes. */
export function startLease(mp: Scope, ttlMs: number, callbacks: LeaseCallbacks): Lease {
  const keeper = mp.shared(LEASES, () => {
    const created = new ContextLeases()
    mp.onClose(() => created.close())
    return created
  })
  return keeper.start(ttlMs, callbacks)
}
