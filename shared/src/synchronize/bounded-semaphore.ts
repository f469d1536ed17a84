import type { Scope } from '../redis/scope.js'
import { Semaphore, type SemaphoreOptions } from './semaphore.js'

/**
 * `multiprocessing.BoundedSemaphore`: a semaphore whose value may not rise
 * above its initial value; a release that would → `SEMAPHORE_OVERFLOW`.
 */
export class BoundedSemaphore extends Semaphore {
  protected override readonly bounded: boolean = true

  constructor(mp: Scope, name: string, value = 1, options?: SemaphoreOptions) {
    super(mp, name, value, options, 'bounded-semaphore')
  }
}
