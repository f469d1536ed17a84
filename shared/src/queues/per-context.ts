import type { Context } from '../context.js'

/** One `T` per context and key (a queue's), made on first use and gone with the context. */
export class PerContext<T> {
  private readonly byContext = new WeakMap<Context, Map<string, T>>()

  get(mp: Context, key: string): T | undefined {
    return this.byContext.get(mp)?.get(key)
  }

  getOrMake(mp: Context, key: string, make: () => T): T {
    let values = this.byContext.get(mp)
    if (!values) {
      values = new Map()
      this.byContext.set(mp, values)
    }
    let value = values.get(key)
    if (value === undefined) {
      value = make()
      values.set(key, value)
    }
    return value
  }
}
