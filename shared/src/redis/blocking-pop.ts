import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { blockingSeconds } from '../arguments.js'
import { isRedprocError } from '../errors.js'
import { longTimeout } from '../timers.js'
import {
  type BlockingPopOptions,
  type Popped,
  type StickyToken,
  TIMED_OUT,
} from './blocking-pop-options.js'
import {
  isUnreachable,
  outsideDeadlines,
  unreachableWithin,
  withinDeadline,
} from './call-deadline.js'
import { type RedisClient, translateRedisError } from './client.js'
import { KEY_PARTS, type ObjectKeys } from './keys.js'
import type { Scope } from './scope.js'
import { Script, WAKE_LIST_TTL_MS } from './script.js'

const giveBack = new Script<number>('blocking-pop-give-back')

interface Waiter {
  /** The wait's timeout, for messages; undefined waits forever. */
  readonly timeoutMs: number | undefined
  /** `performance.now()` time at which the wait runs out; undefined waits forever. */
  readonly deadline: number | undefined
  settled: boolean
  cancelTimer: (() => void) | undefined
  finish(outcome: { taken: Popped } | { error: unknown }): void
}

type State = 'open' | 'closed'

/** One per context and list: the waiters of a process share one connection. */
const POPS: unique symbol = Symbol('redproc.blockingPops')

function popsOf(mp: Scope): Map<string, BlockingPop> {
  return mp.shared(POPS, () => new Map<string, BlockingPop>())
}

/** How long `close` waits for a cancelled pop before cutting the connection. */
const CANCEL_GRACE_MS = 2000

/**
 * Blocking pops from one Redis list (and its fallback, if it has one), for
 * every handle of it in one context.
 *
 * A connection serves one blocked command at a time, so the waiters of a
 * process queue up here and are served together: one `BLMPOP … COUNT n`
 * takes an item for each of the `n` waiting, in their arrival order. Its
 * timeout is the nearest deadline among them; waiters that arrive while it
 * blocks keep a local timer until the next round takes them in.
 *
 * The pop also watches a wake list of its own, so a pop nobody waits for any
 * more (its waiters closed) is ended by a push there, never by cutting the
 * connection: a reply in flight is never lost, and items taken for waiters
 * that left go back to the head of the list.
 */
export class BlockingPop {
  private readonly mp: Scope
  private readonly key: string
  private readonly wakeKey: string
  private readonly sticky: readonly { token: StickyToken; bytes: Buffer }[]
  private readonly fallback: string | undefined
  private readonly afterPop: ((from: string) => void) | undefined
  /** Whether the main key stopped being a list, so pops take from `fallback` only. */
  private retired = false
  private readonly waiting: Waiter[] = []
  /** The unsettled waiters of each signal: one abort listener per signal, not per wait. */
  private readonly bySignal = new WeakMap<AbortSignal, Set<Waiter>>()
  private inFlight: Waiter[] | undefined
  private wakeSent = false
  private client: Promise<RedisClient> | undefined
  /** The client, once open. */
  private connection: RedisClient | undefined
  private pumping: Promise<void> | undefined
  private running = false
  private scheduled = false
  private state: State = 'open'
  private closing: Promise<void> | undefined

  private constructor(mp: Scope, keys: ObjectKeys, key: string, options: BlockingPopOptions) {
    this.mp = mp
    this.key = key
    this.wakeKey = keys.part(KEY_PARTS.blockingPop.wake(randomUUID()))
    this.sticky = (options.sticky ?? []).map((token) => ({
      token,
      bytes: Buffer.from(token.token),
    }))
    this.fallback = options.fallback
    this.afterPop = options.afterPop
  }

  /** The pops of `key` in this context, made on first use. */
  static of(
    mp: Scope,
    keys: ObjectKeys,
    key: string,
    options: BlockingPopOptions = {},
  ): BlockingPop {
    const pops = popsOf(mp)
    let pop = pops.get(key)
    if (!pop) {
      pop = new BlockingPop(mp, keys, key, options)
      pops.set(key, pop)
    }
    return pop
  }

  /** The sticky token `taken` is, if it is one. */
  stickyToken(taken: Buffer): string | undefined {
    return this.sticky.find((sticky) => sticky.bytes.equals(taken))?.token.token
  }

  /**
   * Waits up to `timeoutMs` (undefined: forever) for the head item of the
   * list; rejects with `signal.reason` when `signal` aborts first.
   */
  take(timeoutMs: number | undefined, signal?: AbortSignal): Promise<Popped> {
    return new Promise<Popped>((resolve, reject) => {
      // A closed context must not open a new connection that nothing would close.
      if (this.state === 'closed' || this.mp.closed) {
        reject(translateRedisError(new Error('Connection is closed.')))
        return
      }
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const ofSignal = signal ? this.waitersOf(signal) : undefined
      const waiter: Waiter = {
        timeoutMs,
        deadline: timeoutMs === undefined ? undefined : performance.now() + timeoutMs,
        settled: false,
        cancelTimer: undefined,
        finish: (outcome) => {
          if (waiter.settled) return
          waiter.settled = true
          waiter.cancelTimer?.()
          ofSignal?.delete(waiter)
          if ('error' in outcome) reject(outcome.error)
          else resolve(outcome.taken)
        },
      }
      ofSignal?.add(waiter)
      if (timeoutMs !== undefined) {
        waiter.cancelTimer = longTimeout(() => this.expire(waiter), timeoutMs)
      }
      this.waiting.push(waiter)
      this.schedule()
    })
  }

  /** The waiters of `signal`, which all give up when it aborts. */
  private waitersOf(signal: AbortSignal): Set<Waiter> {
    let waiters = this.bySignal.get(signal)
    if (!waiters) {
      const made = new Set<Waiter>()
      setMaxListeners(0, signal)
      signal.addEventListener(
        'abort',
        () => {
          for (const waiter of [...made]) this.abandon(waiter, signal.reason)
        },
        { once: true },
      )
      this.bySignal.set(signal, made)
      waiters = made
    }
    return waiters
  }

  /** Ends every wait with `error` and releases the connection; safe to call twice. */
  close(error: () => unknown): Promise<void> {
    this.closing ??= this.closeOnce(error)
    return this.closing
  }

  private async closeOnce(error: () => unknown): Promise<void> {
    this.state = 'closed'
    popsOf(this.mp).delete(this.key)
    for (const waiter of this.waiting.splice(0)) waiter.finish({ error: error() })
    for (const waiter of this.inFlight ?? []) waiter.finish({ error: error() })
    // A pop on a connection that is down takes nothing: nothing to wait for.
    if (this.inFlight && this.reachable()) {
      await this.wake()
      const grace = new AbortController()
      await Promise.race([
        this.pumping,
        sleep(CANCEL_GRACE_MS, undefined, { signal: grace.signal }),
      ])
        .catch(() => {})
        .finally(() => grace.abort())
    }
    const client = await this.client?.catch(() => undefined)
    if (client) {
      if (this.reachable()) await this.mp.redis.del(this.wakeKey).catch(() => {})
      client.disconnect()
    }
  }

  /** Starts rounds on the next microtask, so the waiters of one tick share the first. */
  private schedule(): void {
    if (this.scheduled || this.running) return
    this.scheduled = true
    // The rounds serve every waiter: no one caller's deadline bounds them.
    outsideDeadlines(() =>
      queueMicrotask(() => {
        this.scheduled = false
        if (!this.running) this.pumping = this.pump()
      }),
    )
  }

  private async pump(): Promise<void> {
    this.running = true
    try {
      while (this.state === 'open') {
        const batch = this.waiting.splice(0).filter((waiter) => !waiter.settled)
        if (batch.length === 0) return
        for (const waiter of batch) waiter.cancelTimer?.()
        // Waiters served together mostly wait again at once (a consumer's
        // loops): give them until the event loop's next turn to join the next
        // round, rather than start it with the few that came meanwhile. A
        // lone waiter's next wait starts a round of its own, without delay.
        if (await this.round(batch)) await new Promise(setImmediate)
      }
    } finally {
      // In the same step as the last look at `waiting`: a waiter that comes
      // later finds `running` false and schedules a new pump.
      this.running = false
    }
  }

  /** One pop for `batch`; true when it served several of them. */
  private async round(batch: Waiter[]): Promise<boolean> {
    let taken: Buffer[] = []
    let from = this.key
    this.inFlight = batch
    this.wakeSent = false
    const nearest = nearestDeadline(batch)
    try {
      // While Redis is unreachable, the round gives up at its nearest deadline.
      const result = await withinDeadline(
        nearest === undefined ? undefined : Math.max(0, nearest - performance.now()),
        async () => {
          const client = await this.openClient()
          const lists = this.lists()
          return client.blmpopBuffer(
            roundSeconds(nearest),
            lists.length + 1,
            ...lists,
            this.wakeKey,
            'LEFT',
            'COUNT',
            batch.length,
          )
        },
      )
      if (result !== null) {
        from = result[0].toString()
        if (from !== this.wakeKey) taken = result[1]
      }
    } catch (error) {
      if (this.fallback !== undefined && !this.retired && isWrongType(error)) {
        // The main key is a list no more: its items went to the fallback.
        this.retired = true
        this.waiting.unshift(...batch.filter((waiter) => !waiter.settled))
        return false
      }
      const failure = translateRedisError(error)
      const now = performance.now()
      const gaveUp =
        nearest !== undefined && nearest <= now && isRedprocError(failure, 'CONNECTION')
      for (const waiter of batch) {
        if (!gaveUp) waiter.finish({ error: failure })
        // Unreachable at the round's deadline: those whose time is up fail, the others wait on.
        else if (waiter.deadline !== undefined && waiter.deadline <= now) {
          waiter.finish({ error: unreachableWithin(waiter.timeoutMs ?? 0, failure) })
        }
      }
      if (gaveUp) this.waiting.unshift(...batch.filter((waiter) => !waiter.settled))
      return false
    } finally {
      this.inFlight = undefined
    }
    if (taken.length > 0) this.afterPop?.(from)
    return this.deliver(batch, taken, from)
  }

  /** The lists a round pops from, in order. */
  private lists(): string[] {
    if (this.fallback === undefined) return [this.key]
    return this.retired ? [this.fallback] : [this.key, this.fallback]
  }

  /** Hands items out in order; gives back what nobody is left to take. True when it served several. */
  private async deliver(batch: Waiter[], taken: Buffer[], from: string): Promise<boolean> {
    const live = batch.filter((waiter) => !waiter.settled)
    let next = 0
    const returned: Buffer[] = []
    let sticky: { token: StickyToken; bytes: Buffer } | undefined
    for (const item of taken) {
      // A sticky token is the last item of its list, so nothing follows it.
      sticky = this.sticky.find((candidate) => candidate.bytes.equals(item))
      if (sticky) break
      const waiter = live[next++]
      if (waiter) waiter.finish({ taken: item })
      else returned.push(item)
    }
    if (sticky || returned.length > 0) {
      try {
        await giveBack.run(
          this.mp.redis,
          [from, sticky?.token.flagKey ?? from, this.fallback ?? from],
          [sticky?.token.token ?? '', sticky?.token.flagField ?? '', ...returned.reverse()],
        )
      } catch (error) {
        this.mp.options.logger.error({ err: error, key: this.key }, 'could not give items back')
      }
    }
    const now = performance.now()
    const rest = live.slice(next)
    for (const waiter of rest) {
      if (sticky) waiter.finish({ taken: sticky.bytes })
      else if (waiter.deadline !== undefined && waiter.deadline <= now) {
        waiter.finish({ taken: TIMED_OUT })
      }
    }
    // Those still waiting go first in the next round, keeping their order.
    this.waiting.unshift(...rest.filter((waiter) => !waiter.settled))
    return next > 1
  }

  /**
   * A waiter's time ran out before any round took it in: nothing came, or,
   * while Redis is unreachable, nobody could tell.
   */
  private expire(waiter: Waiter): void {
    const index = this.waiting.indexOf(waiter)
    if (index < 0) return
    this.waiting.splice(index, 1)
    if (this.reachable()) waiter.finish({ taken: TIMED_OUT })
    else waiter.finish({ error: unreachableWithin(waiter.timeoutMs ?? 0) })
  }

  private reachable(): boolean {
    return (
      !isUnreachable(this.mp.redis) &&
      !(this.connection !== undefined && isUnreachable(this.connection))
    )
  }

  private abandon(waiter: Waiter, reason: unknown): void {
    const index = this.waiting.indexOf(waiter)
    if (index >= 0) this.waiting.splice(index, 1)
    waiter.finish({ error: reason })
    if (this.inFlight?.every((w) => w.settled)) void this.wake()
  }

  /** Ends the pop in flight: its wake list gets an entry (which expires if nobody pops it). */
  private async wake(): Promise<void> {
    if (this.wakeSent) return
    this.wakeSent = true
    try {
      await this.mp.redis
        .multi()
        .rpush(this.wakeKey, '1')
        .pexpire(this.wakeKey, WAKE_LIST_TTL_MS)
        .exec()
    } catch (error) {
      this.mp.options.logger.warn({ err: error, key: this.key }, 'could not end a blocking pop')
    }
  }

  private openClient(): Promise<RedisClient> {
    this.client ??= this.mp.openBlockingClient().then((client) => {
      this.connection = client
      // Registered after the client's own cleanup, so it runs first: a client
      // blocked in BLMPOP would never answer the QUIT that closes it.
      this.mp.onClose(() =>
        this.close(() => translateRedisError(new Error('Connection is closed.'))),
      )
      return client
    })
    this.client.catch(() => (this.client = undefined))
    return this.client
  }
}

function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('WRONGTYPE')
}

/** The nearest deadline of the waiters of a round; undefined when none has one. */
function nearestDeadline(batch: Waiter[]): number | undefined {
  let nearest: number | undefined
  for (const { deadline } of batch) {
    if (deadline !== undefined && (nearest === undefined || deadline < nearest)) nearest = deadline
  }
  return nearest
}

/** The round blocks until the nearest deadline of its waiters (seconds; 0 = forever). */
function roundSeconds(nearest: number | undefined): number {
  return blockingSeconds(nearest === undefined ? undefined : nearest - performance.now())
}
