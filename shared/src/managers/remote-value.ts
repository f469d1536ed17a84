import { checkFiniteNumber } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import type { CallBatcher } from './call-batcher.js'
import { RemoteObject } from './remote-object.js'
import {
  type CompareAndSetResult,
  checkExpected,
  type Expected,
  type Versioned,
} from './versioned.js'

/**
 * `Value` through the manager server: the same methods and errors. As with
 * the direct value, the first handle to touch it creates it with its `initial`.
 */
export class RemoteValue<T extends Json = Json> extends RemoteObject {
  constructor(calls: CallBatcher, name: string, initial: T | null) {
    super(calls, 'value', name, encode(initial, 'initial value'))
  }

  async get(): Promise<T> {
    return this.call('get')
  }

  async set(value: T): Promise<void> {
    await this.call('set', encode(value))
  }

  /** Adds `amount` atomically and returns the new value. */
  async add(amount = 1): Promise<number> {
    checkFiniteNumber(amount, 'amount')
    return this.call('add', String(amount))
  }

  async entry(): Promise<Versioned<T> | undefined> {
    return this.call('entry')
  }

  async compareAndSet(expected: Expected, value: T): Promise<CompareAndSetResult> {
    return this.call('compareAndSet', JSON.stringify(checkExpected(expected)), encode(value))
  }
}
