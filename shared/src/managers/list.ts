import { checkIndex, checkIterable, describe } from '../arguments.js'
import { decode, encode, type Json } from '../codec.js'
import { IndexError, RedprocTypeError, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { isOutOfRange } from '../sharedctypes/shared-array.js'

const listPopAt = new Script<string>('list-pop-at')
const listInsert = new Script<number>('list-insert')
const listSort = new Script<number>('list-sort')
const listReverse = new Script<number>('list-reverse')

/** Marks a slot inside a script; never valid JSON, so it equals no item. */
const PLACEHOLDER = '\u0000redproc:placeholder'

/** What `sort` orders by: a field, or a path of fields and array indices. */
export type SortKey = string | readonly (string | number)[]

export interface SortOptions {
  /**
   * Python's `key`, as a field of each item (`'age'`) or a path of fields
   * and array indices (`['user', 'age']`, `[-1]`): the sort runs inside
   * Redis, where a function cannot. @default the items themselves
   */
  key?: SortKey
  /** Largest first; equal items keep their order, as in Python. @default false */
  reverse?: boolean
}

export const SORT_OPTIONS: Schema<SortOptions> = { key: checkSortKey, reverse: option.boolean }

/**
 * `Manager().list()`: JSON items in a Redis list, so `redis-cli LRANGE` shows
 * them. Index operations Redis lacks run as Lua scripts, atomically. Items are
 * compared by their JSON text (`remove`, `index`, `count`), so `{a:1,b:2}` and
 * `{b:2,a:1}` differ.
 */
export class List<T extends Json = Json> extends SharedObject {
  constructor(mp: Scope, name: string) {
    super(mp, 'list', name)
  }

  async append(item: T): Promise<void> {
    const json = encode(item)
    await this.call((redis) => redis.rpush(this.key, json))
  }

  /** Appends every item, in one command; all are checked before any is written. */
  async extend(items: Iterable<T>): Promise<void> {
    const texts = Array.from(checkIterable(items, 'items'), (item, i) =>
      encode(item, `items[${i}]`),
    )
    if (texts.length === 0) return
    await this.call((redis) => redis.rpush(this.key, ...texts))
  }

  /** `l[i]`; negative indices count from the end. */
  async get(index: number): Promise<T> {
    checkIndex(index)
    const text = await this.call((redis) => redis.lindex(this.key, index))
    if (text === null) throw new IndexError(`${this.describe()}: index ${index} is out of range`)
    return decode(text, this.describe()) as T
  }

  /** `l[i] = item` */
  async set(index: number, item: T): Promise<void> {
    checkIndex(index)
    const json = encode(item)
    await this.call(async (redis) => {
      try {
        await redis.lset(this.key, index, json)
      } catch (error) {
        if (isOutOfRange(error))
          throw new IndexError(`${this.describe()}: assignment index ${index} is out of range`)
        throw error
      }
    })
  }

  /** `l.pop(i=-1)`: removes and returns the item at `index`. */
  async pop(index = -1): Promise<T> {
    checkIndex(index)
    const text = await this.call((redis) => {
      if (index === -1) return redis.rpop(this.key)
      if (index === 0) return redis.lpop(this.key)
      return listPopAt.run(redis, [this.key], [index, PLACEHOLDER])
    })
    if (text === null) throw new IndexError(`${this.describe()}: pop from empty list`)
    return decode(text, this.describe()) as T
  }

  /** `l.insert(i, item)`: before `index`, clamped to the ends as in Python. */
  async insert(index: number, item: T): Promise<void> {
    checkIndex(index)
    const json = encode(item)
    await this.call((redis) => listInsert.run(redis, [this.key], [index, json, PLACEHOLDER]))
  }

  /** Removes the first item equal to `item`; `VALUE_ERROR` when there is none. */
  async remove(item: T): Promise<void> {
    const json = encode(item)
    const removed = await this.call((redis) => redis.lrem(this.key, 1, json))
    if (removed === 0) throw new ValueError(`${this.describe()}.remove(x): x not in list`)
  }

  /** The index of the first item equal to `item`; `VALUE_ERROR` when there is none. */
  async index(item: T): Promise<number> {
    const json = encode(item)
    const position = await this.call((redis) => redis.lpos(this.key, json))
    if (position === null) throw new ValueError(`${this.describe()}: ${json} is not in list`)
    return position
  }

  async count(item: T): Promise<number> {
    const json = encode(item)
    const positions = await this.call((redis) => redis.lpos(this.key, json, 'COUNT', 0))
    return positions.length
  }

  /**
   * `l.sort(key=…, reverse=…)`, atomically, in one script: numbers
   * (booleans count as 0 and 1, as in Python) by value, strings by code
   * point, arrays item by item; a stable sort. Items that Python could not
   * order (a string and a number, two nulls, two objects) fail with
   * `TYPE_ERROR`; an object without the key's field with `KEY_ERROR`. A
   * refused sort leaves the list as it was.
   */
  async sort(options?: SortOptions): Promise<void> {
    const { key = [], reverse = false } = checkOptions(options, SORT_OPTIONS, 'sort() options')
    const path = JSON.stringify(typeof key === 'string' ? [key] : key)
    await this.call((redis) => listSort.run(redis, [this.key], [reverse ? '1' : '0', path]))
  }

  /** `l.reverse()`, atomically. */
  async reverse(): Promise<void> {
    await this.call((redis) => listReverse.run(redis, [this.key]))
  }

  /** `len(l)` */
  async length(): Promise<number> {
    return this.call((redis) => redis.llen(this.key))
  }

  /** `l[start:stop]`, with Python's negative indices and clamping. */
  async slice(start = 0, stop?: number): Promise<T[]> {
    checkIndex(start, 'start')
    if (stop !== undefined) checkIndex(stop, 'stop')
    // LRANGE's stop is inclusive, and its -1 means "the end", so l[a:0] is the one case apart.
    if (stop === 0) return []
    const texts = await this.call((redis) =>
      redis.lrange(this.key, start, stop === undefined ? -1 : stop - 1),
    )
    return texts.map((text) => decode(text, this.describe()) as T)
  }

  async toArray(): Promise<T[]> {
    return this.slice()
  }

  async clear(): Promise<void> {
    await this.call((redis) => redis.del(this.key))
  }
}

function checkSortKey(value: unknown, name: string): SortKey {
  if (typeof value === 'string') return value
  if (
    Array.isArray(value) &&
    value.every((step) => typeof step === 'string' || Number.isSafeInteger(step))
  ) {
    return value as SortKey
  }
  const hint =
    typeof value === 'function' ? ' (the sort runs inside Redis, where a function cannot)' : ''
  throw new RedprocTypeError(
    `${name} must be a field name or an array of field names and integer indices, not ${describe(value)}${hint}`,
  )
}
