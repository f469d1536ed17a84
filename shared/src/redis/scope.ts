import type { Logger } from '../logger.js'
import type { RedisClient } from './client.js'
import type { ObjectKeys } from './keys.js'
import type { ReplicaWait } from './replica-wait.js'

/** Who closes a client opened with `openBlockingClient`. */
export interface BlockingClientOptions {
  /**
   * `'scope'`: it closes with the scope. `'caller'`: the caller closes it,
   * early (a client lent to one wait, or one handle's own).
   * @default 'scope'
   */
  closedBy?: 'scope' | 'caller'
}

/**
 * What a shared object needs of the context that made it: one namespace on
 * one Redis, its clients, and what lives and dies with it. `Context`
 * implements it; objects take a scope, so they know nothing of each other.
 */
export interface Scope {
  /** The shared client for non-blocking commands. */
  readonly redis: RedisClient
  readonly options: { readonly namespace: string; readonly logger: Logger }
  /** With `durability`: what every call awaits after its writes. */
  readonly replicaWait: ReplicaWait | undefined
  /** True from the moment closing starts. */
  readonly closed: boolean
  /** The keys of the object `(this namespace, kind, name)`; validates `name`. */
  keys(kind: string, name: string): ObjectKeys
  /**
   * A client of its own, for commands that block (BLMOVE, XREAD BLOCK) and so
   * must not hold up the shared one.
   */
  openBlockingClient(options?: BlockingClientOptions): Promise<RedisClient>
  /** Runs `cleanup` when the scope closes, latest first. */
  onClose(cleanup: () => Promise<void> | void): void
  /**
   * The one `T` of this scope under `key`, made by `make` on first use: how
   * a per-context service (a pub/sub hub, the pops of a list) is shared by
   * every handle of the context. Each user owns its own `key` symbol.
   */
  shared<T>(key: symbol, make: () => T): T
}
