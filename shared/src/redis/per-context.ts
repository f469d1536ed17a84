import type { Scope } from './scope.js'

/**
 * One `T` per context and key (a queue's), made on first use and gone with
 * the context: the batchers a process's calls to one queue share.
 */
export class PerContext<T> {
  private readonly slot: symbol

  constructor(what: string) {
    this.slot = Symbol(`redproc.${what}`)
  }

  get(mp: Scope, key: string): T | undefined {
    return this.of(mp).get(key)
  }

  getOrMake(mp: Scope, key: string, make: () => T): T {
    const values = this.of(mp)
    let value = values.get(key)
    if (value === undefined) {
      value = make()
      values.set(key, value)
    }
    return value
  }

  private of(mp: Scope): Map<string, T> {
    return mp.shared(this.slot, () => new Map<string, T>())
  }
}
