import type { Scope } from '../redis/scope.js'
import { LeasedLock, type LockOptions, type LockPlacement } from './leased-lock.js'

/**
 * `multiprocessing.RLock`: a lock its owner may acquire again without
 * waiting; it is free once released as many times as it was acquired. The
 * owner is the handle (Python's is the thread): two handles of the same rlock
 * exclude each other, one handle shared by several async tasks does not.
 */
export class RLock extends LeasedLock {
  constructor(
    mp: Scope,
    name: string,
    options?: LockOptions,
    placement: LockPlacement = { kind: 'rlock' },
  ) {
    super(mp, name, options, true, placement)
  }
}
