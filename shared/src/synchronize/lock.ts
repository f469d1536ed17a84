import type { Scope } from '../redis/scope.js'
import { LeasedLock, type LockOptions, type LockPlacement } from './leased-lock.js'

/**
 * `multiprocessing.Lock`, across processes and machines: held by one handle
 * at a time, under a lease its process renews (`ttl`), so a holder that dies
 * frees the lock when its lease ends. Waiters are woken by the release.
 *
 * ```ts
 * const lock = mp.lock('accounts')
 * await lock.withLock(async () => { ... })  // with lock: ...
 * ```
 *
 * As in Python a lock is not re-entrant: acquiring it again through the
 * handle that holds it waits (use `mp.rlock`). Unlike Python, only the
 * handle that holds it may release it (`NOT_OWNER` otherwise).
 */
export class Lock extends LeasedLock {
  constructor(
    mp: Scope,
    name: string,
    options?: LockOptions,
    placement: LockPlacement = { kind: 'lock' },
  ) {
    super(mp, name, options, false, placement)
  }
}
