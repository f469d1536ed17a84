import { blockingSeconds } from '../arguments.js'
import { longTimeout } from '../timers.js'
import { isUnreachable, outsideDeadlines, unreachableWithin } from './call-deadline.js'
import { type RedisClient, translateRedisError } from './client.js'
import type { Scope } from './scope.js'

interface Watcher {
  readonly deadline: number | undefined
  cancelTimer: (() => void) | undefined
  finish(outcome: { ready: boolean } | { error: unknown }): void
}

/** One per context and list: the watchers of a process share one connection. */
const PEEKS: unique symbol = Symbol('redproc.peeks')

function peeksOf(mp: Scope): Map<string, Peek> {
  return mp.shared(PEEKS, () => new Map<string, Peek>())
}

/**
 * Waits until a list has an entry, without taking it: `Connection.poll`.
 *
 * `BLMOVE list list LEFT LEFT` pops the head and pushes it straight back, in
 * one atomic step, so it blocks like a pop yet leaves the list as it was. The
 * watchers of one process share one such command; each keeps its own timer,
 * since nothing is taken and an early answer costs nothing. Cutting the
 * connection cannot lose an entry either, which is how a wait nobody wants
 * any more is ended.
 */
export class Peek {
  private readonly mp: Scope
  private readonly key: string
  private readonly watchers = new Set<Watcher>()
  private client: Promise<RedisClient> | undefined
  /** The client of the latest wait, once open. */
  private connection: RedisClient | undefined
  private running = false
  private closed = false
  /** How many times a wait was ended by cutting its connection. */
  private cuts = 0

  private constructor(mp: Scope, key: string) {
    this.mp = mp
    this.key = key
  }

  static of(mp: Scope, key: string): Peek {
    const peeks = peeksOf(mp)
    let peek = peeks.get(key)
    if (!peek) {
      peek = new Peek(mp, key)
      peeks.set(key, peek)
    }
    return peek
  }

  /** Resolves true once the list has an entry, false after `timeoutMs` (undefined: never). */
  wait(timeoutMs: number | undefined, signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      // A closed context must not open a new connection that nothing would close.
      if (this.closed || this.mp.closed) {
        reject(translateRedisError(new Error('Connection is closed.')))
        return
      }
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const onAbort = () => {
        watcher.finish({ error: signal?.reason })
        if (this.watchers.size === 0) this.cut()
      }
      const watcher: Watcher = {
        deadline: timeoutMs === undefined ? undefined : performance.now() + timeoutMs,
        cancelTimer: undefined,
        finish: (outcome) => {
          if (!this.watchers.delete(watcher)) return
          watcher.cancelTimer?.()
          signal?.removeEventListener('abort', onAbort)
          if ('error' in outcome) reject(outcome.error)
          else resolve(outcome.ready)
        },
      }
      this.watchers.add(watcher)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (timeoutMs !== undefined) {
        // Nothing came, or, while Redis is unreachable, nobody could tell.
        watcher.cancelTimer = longTimeout(
          () =>
            watcher.finish(
              this.reachable() ? { ready: false } : { error: unreachableWithin(timeoutMs) },
            ),
          timeoutMs,
        )
      }
      // The waits serve every watcher: no one caller's deadline bounds them.
      if (!this.running) outsideDeadlines(() => void this.pump())
    })
  }

  private async pump(): Promise<void> {
    this.running = true
    try {
      while (this.watchers.size > 0 && !this.closed) {
        const cuts = this.cuts
        try {
          const client = await this.openClient()
          const head = await client.blmove(this.key, this.key, 'LEFT', 'LEFT', this.seconds())
          if (head !== null) for (const watcher of this.watchers) watcher.finish({ ready: true })
        } catch (error) {
          // After a cut, watchers that came since are served on a new connection.
          if (this.closed || cuts === this.cuts) {
            for (const watcher of this.watchers)
              watcher.finish({ error: translateRedisError(error) })
          }
        }
      }
    } finally {
      // In the same step as the last look at `watchers`, so no newcomer is left unserved.
      this.running = false
    }
  }

  /** Ends the BLMOVE in flight by cutting its connection; the next wait opens another. */
  private cut(): void {
    const client = this.client
    this.client = undefined
    this.cuts++
    void client?.then((c) => c.disconnect()).catch(() => {})
  }

  private close(): void {
    this.closed = true
    peeksOf(this.mp).delete(this.key)
    for (const watcher of this.watchers) {
      watcher.finish({ error: translateRedisError(new Error('Connection is closed.')) })
    }
    this.cut()
  }

  private reachable(): boolean {
    return (
      !isUnreachable(this.mp.redis) &&
      !(this.connection !== undefined && isUnreachable(this.connection))
    )
  }

  private openClient(): Promise<RedisClient> {
    if (this.client) return this.client
    const client = this.mp.openBlockingClient().then((opened) => {
      this.connection = opened
      // Runs before the client's own cleanup, whose QUIT a blocked client would never answer.
      this.mp.onClose(() => {
        opened.disconnect()
        this.close()
      })
      return opened
    })
    this.client = client
    client.catch(() => {
      if (this.client === client) this.client = undefined
    })
    return client
  }

  /** Blocks until the nearest deadline (seconds; 0 = forever); timers answer the others. */
  private seconds(): number {
    let nearest: number | undefined
    for (const { deadline } of this.watchers) {
      if (deadline !== undefined && (nearest === undefined || deadline < nearest))
        nearest = deadline
    }
    return blockingSeconds(nearest === undefined ? undefined : nearest - performance.now())
  }
}
