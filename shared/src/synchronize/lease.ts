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
 * at most one TTL. Leases of one context with the same period share one timer
 * (`Renewals`): a hold taken and given back between two ticks, as most are,
 * costs no timer of its own.
 */
export class Lease {
  private state: LeaseState = 'active'
  /** A renewal is unanswered: the next tick does not send another. */
  private renewing = false

  constructor(
    private readonly renewals: Renewals,
    readonly ttlMs: number,
    private readonly callbacks: LeaseCallbacks,
  ) {}

  /** Whether the last renewal found the hold taken from this holder. */
  get lost(): boolean {
    return this.state === 'lost'
  }

  /** Stops renewing: the hold was released (or is about to be). */
  end(): void {
    if (this.state === 'active') this.state = 'ended'
    this.renewals.forget(this)
  }

  /** @internal the context is closing: stop, and give the hold back if it is still held. */
  async close(): Promise<void> {
    const wasActive = this.state === 'active'
    this.end()
    if (wasActive) await this.callbacks.release()
  }

  /** @internal one renewal, at a tick of its `Renewals`. */
  async renew(): Promise<void> {
    if (this.renewing) return
    this.renewing = true
    let kept = true
    try {
      kept = await this.callbacks.renew()
    } catch {
      // Redis did not answer: try again at the next tick; the hold lasts a full TTL.
    } finally {
      this.renewing = false
    }
    if (this.state === 'active' && !kept) {
      this.state = 'lost'
      this.renewals.forget(this)
    }
  }
}

/**
 * The active leases of one context that renew every `everyMs`, and the one
 * timer that renews them. A lease starts between two ticks, so its first
 * renewal comes at most `everyMs` after it starts: early, which costs
 * nothing. The timer is unref'd (a renewal never keeps a process alive); it
 * stops at the first tick that finds no lease, or when the context closes.
 */
class Renewals {
  readonly leases = new Set<Lease>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly everyMs: number) {}

  add(lease: Lease): void {
    this.leases.add(lease)
    if (!this.timer) this.schedule()
  }

  forget(lease: Lease): void {
    this.leases.delete(lease)
  }

  /** The context closed: no tick is left to come. */
  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.tick(), this.everyMs)
    this.timer.unref()
  }

  private tick(): void {
    this.timer = undefined
    if (this.leases.size === 0) return
    for (const lease of this.leases) void lease.renew()
    this.schedule()
  }
}

/** Every active lease of one context, so closing the context ends them all. */
class ContextLeases {
  /** By renewal period, ms. */
  private readonly renewals = new Map<number, Renewals>()
  private closed = false

  start(ttlMs: number, callbacks: LeaseCallbacks): Lease {
    // A lease past MAX_TIMER_MS is renewed every MAX_TIMER_MS: early, which costs nothing.
    const everyMs = timerDelay(Math.max(1, Math.floor(ttlMs / 3)))
    let renewals = this.renewals.get(everyMs)
    if (!renewals) {
      renewals = new Renewals(everyMs)
      this.renewals.set(everyMs, renewals)
    }
    const lease = new Lease(renewals, ttlMs, callbacks)
    // A hold taken while the context closes is not renewed: its lease ends by itself.
    if (!this.closed) renewals.add(lease)
    else lease.end()
    return lease
  }

  async close(): Promise<void> {
    this.closed = true
    const groups = [...this.renewals.values()]
    const leases = groups.flatMap((renewals) => [...renewals.leases])
    for (const renewals of groups) renewals.stop()
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
