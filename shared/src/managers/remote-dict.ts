import { checkFiniteNumber } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import type { CallBatcher } from './call-batcher.js'
import { checkCount, checkCursor } from './dict.js'
import { keyText, RemoteObject } from './remote-object.js'
import {
  type CompareAndSetResult,
  checkExpected,
  type Expected,
  type Versioned,
} from './versioned.js'

/** `Dict` through the manager server: the same methods and errors. */
export class RemoteDict<V extends Json = Json> extends RemoteObject {
  constructor(calls: CallBatcher, name: string) {
    super(calls, 'dict', name)
  }

  async get<D = undefined>(key: string, fallback?: D): Promise<V | D> {
    const found = await this.call<V | undefined>('get', keyText(key))
    return found === undefined ? (fallback as D) : found
  }

  async set(key: string, value: V): Promise<void> {
    await this.call('set', keyText(key), encode(value))
  }

  async has(key: string): Promise<boolean> {
    return this.call('has', keyText(key))
  }

  async delete(key: string): Promise<boolean> {
    return this.call('delete', keyText(key))
  }

  async keys(): Promise<string[]> {
    return Object.keys(await this.toObject())
  }

  async values(): Promise<V[]> {
    return Object.values(await this.toObject())
  }

  async items(): Promise<Array<[string, V]>> {
    return Object.entries(await this.toObject())
  }

  async size(): Promise<number> {
    return this.call('size')
  }

  /** `d.update(other)`: every pair is checked before any is sent, and all are written at once. */
  async update(other: Record<string, V> | Iterable<readonly [string, V]>): Promise<void> {
    const entries = Symbol.iterator in other ? [...other] : Object.entries(other)
    const pairs: string[] = []
    for (const [key, value] of entries) {
      pairs.push(`[${keyText(key)},${encode(value, `value of ${JSON.stringify(key)}`)}]`)
    }
    if (pairs.length === 0) return
    await this.call('update', `[${pairs.join(',')}]`)
  }

  async pop(key: string): Promise<V>
  async pop<D>(key: string, fallback: D): Promise<V | D>
  async pop(key: string, ...fallback: [unknown?]): Promise<unknown> {
    return this.callOr(fallback, 'pop', keyText(key))
  }

  /** `d.popitem()`: removes and returns a pair, atomically; `KEY_ERROR` when empty. */
  async popitem(): Promise<[string, V]> {
    return this.call('popitem')
  }

  /** Adds `amount` to the number at `key` atomically and returns the new value. */
  async incr(key: string, amount = 1): Promise<number> {
    const text = keyText(key)
    checkFiniteNumber(amount, 'amount')
    return this.call('incr', text, String(amount))
  }

  async setdefault(key: string, fallback: V | null = null): Promise<V> {
    return this.call('setdefault', keyText(key), encode(fallback, 'default'))
  }

  async clear(): Promise<void> {
    await this.call('clear')
  }

  /** Every pair, page by page: a big dict never travels in one response. */
  async toObject(): Promise<Record<string, V>> {
    const all: Record<string, V> = {}
    let cursor = '0'
    do {
      const page = await this.page(cursor, 1000)
      for (const [key, value] of Object.entries(page.items)) {
        Object.defineProperty(all, key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        })
      }
      cursor = page.cursor
    } while (cursor !== '0')
    return all
  }

  /** One page, as `Dict.page`: the cursor after the last page is `'0'`. */
  async page(cursor = '0', count = 100): Promise<{ items: Record<string, V>; cursor: string }> {
    checkCursor(cursor)
    checkCount(count)
    return this.call('page', JSON.stringify(cursor), String(count))
  }

  async entry(key: string): Promise<Versioned<V> | undefined> {
    return this.call('entry', keyText(key))
  }

  async compareAndSet(key: string, expected: Expected, value: V): Promise<CompareAndSetResult> {
    const version = JSON.stringify(checkExpected(expected))
    return this.call('compareAndSet', keyText(key), version, encode(value))
  }

  async compareAndDelete(key: string, expected: Expected): Promise<CompareAndSetResult> {
    return this.call('compareAndDelete', keyText(key), JSON.stringify(checkExpected(expected)))
  }
}
