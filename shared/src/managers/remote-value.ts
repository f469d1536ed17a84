import { checkFiniteNumber } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import type { ManagerClient } from './manager-client.js'
import { compareAndSetResult, preconditionHeaders, RemoteObject } from './remote-object.js'
import {
  type CompareAndSetResult,
  checkExpected,
  type Expected,
  type Versioned,
} from './versioned.js'

/**
 * `Value` through the manager server: the same methods and errors, over
 * HTTP. As with the direct value, the first handle to touch it creates it
 * with its `initial`.
 */
export class RemoteValue<T extends Json = Json> extends RemoteObject {
  private readonly initialJson: string

  constructor(client: ManagerClient, name: string, initial: T | null) {
    super(client, 'values', name)
    this.initialJson = encode(initial, 'initial value')
  }

  async get(): Promise<T> {
    for (;;) {
      const found = await this.entry()
      if (found) return found.value
      // Not created yet: create it with the initial value, unless another handle just did.
      const created = await this.send({
        method: 'PUT',
        body: `{"value":${this.initialJson}}`,
        headers: preconditionHeaders(null),
        accept: [412],
      })
      if (created.status < 300) return JSON.parse(this.initialJson) as T
    }
  }

  async set(value: T): Promise<void> {
    await this.send({ method: 'PUT', body: `{"value":${encode(value)}}` })
  }

  /** Adds `amount` atomically and returns the new value. */
  async add(amount = 1): Promise<number> {
    checkFiniteNumber(amount, 'amount')
    const body = `{"add":${amount},"initial":${this.initialJson}}`
    return RemoteObject.valueOf<number>(await this.send({ method: 'POST', body }))
  }

  async entry(): Promise<Versioned<T> | undefined> {
    const response = await this.send({ method: 'GET', accept: [404] })
    if (response.status === 404) return undefined
    return { value: RemoteObject.valueOf<T>(response), etag: response.etag as string }
  }

  async compareAndSet(expected: Expected, value: T): Promise<CompareAndSetResult> {
    const headers = preconditionHeaders(checkExpected(expected))
    const body = `{"value":${encode(value)}}`
    return compareAndSetResult(await this.send({ method: 'PUT', body, headers, accept: [412] }))
  }
}
