import { checkKey } from '../arguments.js'
import { decode, decodeHash, encode, type Json } from '../codec.js'
import { KeyError } from '../errors.js'
import type { Scope } from '../redis/scope.js'
import { SharedObject } from '../redis/shared-object.js'

/** `Manager().Namespace()`: named attributes holding JSON, in a Redis hash. */
export class Namespace extends SharedObject {
  constructor(mp: Scope, name: string) {
    super(mp, 'namespace', name)
  }

  /** `ns.attr`, or `getattr(ns, attr, default)`: `KEY_ERROR` when absent and no default is given. */
  async get<T extends Json = Json>(attribute: string): Promise<T>
  async get<T extends Json, D>(attribute: string, fallback: D): Promise<T | D>
  async get(attribute: string, ...fallback: [unknown?]): Promise<unknown> {
    checkKey(attribute, 'attribute')
    const text = await this.call((redis) => redis.hget(this.key, attribute))
    if (text !== null) return decode(text, this.describe())
    if (fallback.length > 0) return fallback[0]
    throw new KeyError(`${this.describe()} has no attribute ${JSON.stringify(attribute)}`)
  }

  /** `ns.attr = value` */
  async set(attribute: string, value: Json): Promise<void> {
    checkKey(attribute, 'attribute')
    const json = encode(value)
    await this.call((redis) => redis.hset(this.key, attribute, json))
  }

  /** `del ns.attr`, but like `Map.delete`: true if the attribute was there. */
  async delete(attribute: string): Promise<boolean> {
    checkKey(attribute, 'attribute')
    return (await this.call((redis) => redis.hdel(this.key, attribute))) === 1
  }

  /** `vars(ns)` */
  async toObject(): Promise<Record<string, Json>> {
    const hash = await this.call((redis) => redis.hgetall(this.key))
    return decodeHash(hash, this.describe())
  }
}
