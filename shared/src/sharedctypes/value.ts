import { checkFiniteNumber } from '../arguments.js'
import { decode, encode, type Json } from '../codec.js'
import {
  type CompareAndSetResult,
  checkExpected,
  compareAndSet,
  type Expected,
  etagOf,
  type Versioned,
} from '../managers/versioned.js'
import { KEY_PARTS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { Lock } from '../synchronize/lock.js'

const valueAdd = new Script<string>('value-add')

/**
 * `multiprocessing.Value`: one JSON value in a Redis string. The first handle
 * to touch it in Redis creates it with its `initial`; later handles join it.
 */
export class Value<T extends Json = Json> extends SharedObject {
  private readonly initialJson: string
  private lock: Lock | undefined

  constructor(mp: Scope, name: string, initial: T | null) {
    super(mp, 'value', name)
    this.initialJson = encode(initial, 'initial value')
  }

  async get(): Promise<T> {
    const text = await this.call(async (redis) => {
      await this.createIfAbsent()
      return redis.get(this.key)
    })
    return decode(text ?? this.initialJson, this.describe()) as T
  }

  async set(value: T): Promise<void> {
    const json = encode(value)
    await this.call((redis) => redis.set(this.key, json))
  }

  /** Adds `amount` atomically and returns the new value; the value must be a number. */
  async add(amount = 1): Promise<number> {
    checkFiniteNumber(amount, 'amount')
    const text = await this.call((redis) =>
      valueAdd.run(redis, [this.key], [String(amount), this.initialJson]),
    )
    return Number(text)
  }

  /**
   * Python's `get_lock()`: the lock that guards this value, the same handle on
   * every call, kept beside it in Redis (same hash tag). Operations do not
   * take it by themselves; hold it to make several of them one step:
   * `await v.getLock().withLock(async () => v.set((await v.get()) + 1))`.
   */
  getLock(): Lock {
    this.lock ??= new Lock(this.mp, this.name, {}, { kind: 'value', stem: KEY_PARTS.lock.embedded })
    return this.lock
  }

  /**
   * The stored value with its version (ETag), or undefined while no handle
   * has created it: unlike `get`, this reads without creating.
   */
  async entry(): Promise<Versioned<T> | undefined> {
    const text = await this.call((redis) => redis.get(this.key))
    if (text === null) return undefined
    return { value: decode(text, this.describe()) as T, etag: etagOf(text) }
  }

  /**
   * `set` only if the value's version is still `expected` (an etag from
   * `entry`, `'*'` for any value, `null` for none, which creates it).
   */
  async compareAndSet(expected: Expected, value: T): Promise<CompareAndSetResult> {
    const version = checkExpected(expected)
    const json = encode(value)
    return this.call((redis) => compareAndSet(redis, this.key, undefined, version, json))
  }

  private createIfAbsent(): Promise<unknown> {
    return this.createOnce((redis) => redis.set(this.key, this.initialJson, 'NX'))
  }
}
