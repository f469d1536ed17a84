import { checkFiniteNumber, checkIndex, checkKey, describe } from '../arguments.js'
import { decode, decodeHash, encode, type Json } from '../codec.js'
import { KeyError, RedprocTypeError, ValueError } from '../errors.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import {
  type CompareAndSetResult,
  checkExpected,
  compareAndSet,
  type Expected,
  etagOf,
  type Versioned,
} from './versioned.js'

const dictPopitem = new Script<[string, string]>('dict-popitem')
const dictIncr = new Script<string>('dict-incr')

/**
 * `Manager().dict()`: string keys and JSON values in a Redis hash, so
 * `redis-cli HGETALL` shows them as JSON.
 */
export class Dict<V extends Json = Json> extends SharedObject {
  constructor(mp: Scope, name: string) {
    super(mp, 'dict', name)
  }

  /** `d.get(k, default)`: the value, else `fallback` (undefined when not given). */
  async get<D = undefined>(key: string, fallback?: D): Promise<V | D> {
    checkKey(key)
    const text = await this.call((redis) => redis.hget(this.key, key))
    return text === null ? (fallback as D) : (decode(text, this.describe()) as V)
  }

  /** `d[k] = v` */
  async set(key: string, value: V): Promise<void> {
    checkKey(key)
    const json = encode(value)
    await this.call((redis) => redis.hset(this.key, key, json))
  }

  /** `k in d` */
  async has(key: string): Promise<boolean> {
    checkKey(key)
    return (await this.call((redis) => redis.hexists(this.key, key))) === 1
  }

  /** `del d[k]`, but like `Map.delete`: true if the key was there. */
  async delete(key: string): Promise<boolean> {
    checkKey(key)
    return (await this.call((redis) => redis.hdel(this.key, key))) === 1
  }

  async keys(): Promise<string[]> {
    return this.call((redis) => redis.hkeys(this.key))
  }

  async values(): Promise<V[]> {
    const texts = await this.call((redis) => redis.hvals(this.key))
    return texts.map((text) => decode(text, this.describe()) as V)
  }

  async items(): Promise<Array<[string, V]>> {
    return Object.entries(await this.toObject())
  }

  /** `len(d)` */
  async size(): Promise<number> {
    return this.call((redis) => redis.hlen(this.key))
  }

  /** `d.update(other)`: every pair is checked before any is written. */
  async update(other: Record<string, V> | Iterable<readonly [string, V]>): Promise<void> {
    const fields: string[] = []
    for (const [key, value] of entriesOf(other))
      fields.push(checkKey(key), encode(value, `value of ${JSON.stringify(key)}`))
    if (fields.length === 0) return
    await this.call((redis) => redis.hset(this.key, ...fields))
  }

  /** `d.pop(k[, default])`: removes and returns; `KEY_ERROR` when absent and no default is given. */
  async pop(key: string): Promise<V>
  async pop<D>(key: string, fallback: D): Promise<V | D>
  async pop(key: string, ...fallback: [unknown?]): Promise<unknown> {
    checkKey(key)
    const [text] = await this.call((redis) =>
      transaction(redis.multi().hget(this.key, key).hdel(this.key, key)),
    )
    if (typeof text === 'string') return decode(text, this.describe())
    if (fallback.length > 0) return fallback[0]
    throw new KeyError(`${this.describe()} has no key ${JSON.stringify(key)}`)
  }

  /**
   * `d.popitem()`: removes and returns a pair, `KEY_ERROR` when the dict is
   * empty. The last inserted while the dict is small enough for Redis to keep
   * its order (as in Python), else whichever pair Redis finds first.
   */
  async popitem(): Promise<[string, V]> {
    const [key, text] = await this.call((redis) => dictPopitem.run(redis, [this.key]))
    return [key, decode(text, this.describe()) as V]
  }

  /**
   * Adds `amount` to the number at `key` atomically and returns the new
   * value, an absent key counting as 0: `d[k] += n` without the lost updates
   * of a read and a write. `TYPE_ERROR`, changing nothing, when the key holds
   * something else than a number.
   */
  async incr(key: string, amount = 1): Promise<number> {
    checkKey(key)
    checkFiniteNumber(amount, 'amount')
    const text = await this.call((redis) => dictIncr.run(redis, [this.key], [key, String(amount)]))
    return Number(text)
  }

  /** `d.setdefault(k, default)`: the value at `key`, first setting it to `fallback` if absent. */
  async setdefault(key: string, fallback: V | null = null): Promise<V> {
    checkKey(key)
    const json = encode(fallback, 'default')
    const [, text] = await this.call((redis) =>
      transaction(redis.multi().hsetnx(this.key, key, json).hget(this.key, key)),
    )
    return decode(text as string, this.describe()) as V
  }

  async clear(): Promise<void> {
    await this.call((redis) => redis.del(this.key))
  }

  /** A plain-object snapshot. Redis keeps no insertion order for large hashes. */
  async toObject(): Promise<Record<string, V>> {
    const hash = await this.call((redis) => redis.hgetall(this.key))
    return decodeHash(hash, this.describe()) as Record<string, V>
  }

  /**
   * One page of a big dict, by HSCAN: about `count` pairs and the cursor of
   * the next page, `'0'` after the last. A key written during the walk may
   * appear twice or not at all, as with SCAN.
   */
  async page(cursor = '0', count = 100): Promise<{ items: Record<string, V>; cursor: string }> {
    checkCursor(cursor)
    checkCount(count)
    const [next, flat] = await this.call((redis) => redis.hscan(this.key, cursor, 'COUNT', count))
    const hash: Record<string, string> = {}
    for (let i = 0; i < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string
    return { items: decodeHash(hash, this.describe()) as Record<string, V>, cursor: next }
  }

  /** `d[k]` with its version (ETag), or undefined when absent. */
  async entry(key: string): Promise<Versioned<V> | undefined> {
    checkKey(key)
    const text = await this.call((redis) => redis.hget(this.key, key))
    if (text === null) return undefined
    return { value: decode(text, this.describe()) as V, etag: etagOf(text) }
  }

  /**
   * `d[k] = v` only if the key's version is still `expected` (an etag from
   * `entry`, `'*'` for any value, `null` for none): an optimistic update
   * that a concurrent writer makes fail rather than lose.
   */
  async compareAndSet(key: string, expected: Expected, value: V): Promise<CompareAndSetResult> {
    checkKey(key)
    const version = checkExpected(expected)
    const json = encode(value)
    return this.call((redis) => compareAndSet(redis, this.key, key, version, json))
  }

  /** `del d[k]` only if the key's version is still `expected` (`'*'`: any value). */
  async compareAndDelete(key: string, expected: Expected): Promise<CompareAndSetResult> {
    checkKey(key)
    const version = checkExpected(expected)
    return this.call((redis) => compareAndSet(redis, this.key, key, version, undefined))
  }
}

const MAX_PAGE = 10_000

/** @internal */
export function checkCursor(cursor: unknown): void {
  if (typeof cursor !== 'string' || !/^\d{1,20}$/.test(cursor)) {
    throw new RedprocTypeError('cursor must be the decimal text a previous page returned')
  }
}

/** @internal */
export function checkCount(count: unknown): void {
  const n = checkIndex(count, 'count')
  if (n < 1 || n > MAX_PAGE) throw new ValueError(`count must be from 1 to ${MAX_PAGE}, not ${n}`)
}

/**
 * The pairs of `update`'s argument: a plain object's own entries, or the
 * pairs of an iterable (a Map, an array of `[key, value]`); as in Python,
 * TYPE_ERROR for anything else, VALUE_ERROR for a pair that is not two long.
 */
function entriesOf(other: unknown): Iterable<readonly [unknown, unknown]> {
  if (typeof other === 'object' && other !== null) {
    if (Symbol.iterator in other) return pairsOf(other as Iterable<unknown>)
    const prototype = Object.getPrototypeOf(other)
    if (prototype === Object.prototype || prototype === null) return Object.entries(other)
  }
  throw new RedprocTypeError(
    `update() takes a plain object, a Map or an iterable of [key, value] pairs, not ${describe(other)}`,
  )
}

function* pairsOf(items: Iterable<unknown>): Generator<readonly [unknown, unknown]> {
  let index = 0
  for (const pair of items) {
    if (!Array.isArray(pair)) {
      throw new RedprocTypeError(
        `update() element #${index} must be a [key, value] pair, not ${describe(pair)}`,
      )
    }
    if (pair.length !== 2) {
      throw new ValueError(`update() element #${index} has length ${pair.length}; 2 is required`)
    }
    yield pair as [unknown, unknown]
    index++
  }
}

/** Executes a MULTI and returns each command's reply, failing on the first error. */
export async function transaction(multi: {
  exec(): Promise<Array<[Error | null, unknown]> | null>
}): Promise<unknown[]> {
  const results = (await multi.exec()) ?? []
  return results.map(([error, reply]) => {
    if (error) throw error
    return reply
  })
}
