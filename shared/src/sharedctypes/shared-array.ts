import { checkIndex, describe } from '../arguments.js'
import { decode, encode, type Json } from '../codec.js'
import { IndexError, RedprocTypeError, ValueError } from '../errors.js'
import { KEY_PARTS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { Lock } from '../synchronize/lock.js'

const listCreate = new Script<number>('list-create')

/**
 * The longest array: its creation is one script, and Redis serves no one
 * else while it runs (a million zeros take about 0.2 s).
 */
export const MAX_ARRAY_LENGTH = 1_000_000

/**
 * `multiprocessing.Array`: a fixed-length sequence of JSON items in a Redis
 * list. The first handle to touch it in Redis creates it with `initial`.
 */
export class SharedArray<T extends Json = Json> extends SharedObject {
  /** What `list-create.lua` takes: the length, then every item's JSON or one to fill it. */
  private readonly createArguments: string[]
  private lock: Lock | undefined

  constructor(mp: Scope, name: string, initial: T[] | number) {
    super(mp, 'array', name)
    this.createArguments = creationArguments(initial)
  }

  /** The item at `index`; negative indices count from the end. */
  async get(index: number): Promise<T> {
    checkIndex(index)
    const text = await this.call(async (redis) => {
      await this.createIfAbsent()
      return redis.lindex(this.key, index)
    })
    if (text === null) throw new IndexError(`${this.describe()}: index ${index} is out of range`)
    return decode(text, this.describe()) as T
  }

  async set(index: number, value: T): Promise<void> {
    checkIndex(index)
    const json = encode(value)
    await this.call(async (redis) => {
      await this.createIfAbsent()
      try {
        await redis.lset(this.key, index, json)
      } catch (error) {
        if (isOutOfRange(error))
          throw new IndexError(`${this.describe()}: index ${index} is out of range`)
        throw error
      }
    })
  }

  async length(): Promise<number> {
    return this.call(async (redis) => {
      await this.createIfAbsent()
      return redis.llen(this.key)
    })
  }

  async toArray(): Promise<T[]> {
    const texts = await this.call(async (redis) => {
      await this.createIfAbsent()
      return redis.lrange(this.key, 0, -1)
    })
    return texts.map((text) => decode(text, this.describe()) as T)
  }

  /**
   * Python's `get_lock()`: the lock that guards this array, the same handle on
   * every call, kept beside it in Redis (same hash tag). Operations do not
   * take it by themselves; hold it to make several of them one step:
   * `await a.getLock().withLock(async () => a.set(0, (await a.get(0)) + 1))`.
   */
  getLock(): Lock {
    this.lock ??= new Lock(this.mp, this.name, {}, { kind: 'array', stem: KEY_PARTS.lock.embedded })
    return this.lock
  }

  private createIfAbsent(): Promise<unknown> {
    return this.createOnce((redis) => listCreate.run(redis, [this.key], this.createArguments))
  }
}

/** Python's `Array(typecode, size_or_initializer)`: a length of zeros, or the items. */
function creationArguments(initial: unknown): string[] {
  if (typeof initial === 'number') {
    const length = checkIndex(initial, 'array length')
    if (length < 0) throw new ValueError(`array length must not be negative, not ${length}`)
    checkLength(length)
    return [String(length), '0']
  }
  if (!Array.isArray(initial)) {
    throw new RedprocTypeError(
      `an array's initial content is a length or an array of items, not ${describe(initial)}`,
    )
  }
  checkLength(initial.length)
  const items = Array.from(initial, (item, i) => encode(item, `initial[${i}]`))
  return [String(items.length), ...items]
}

function checkLength(length: number): void {
  if (length > MAX_ARRAY_LENGTH) {
    throw new ValueError(
      `an array holds at most ${MAX_ARRAY_LENGTH} items, not ${length}: use a list for more`,
    )
  }
}

/** LSET's replies for an index past the end, or a list that does not exist. */
export function isOutOfRange(error: unknown): boolean {
  return error instanceof Error && /index out of range|no such key/.test(error.message)
}
