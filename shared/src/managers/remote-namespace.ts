import { encode, type Json } from '../codec.js'
import type { CallBatcher } from './call-batcher.js'
import { keyText, RemoteObject } from './remote-object.js'

/** `Namespace` through the manager server: the same methods and errors. */
export class RemoteNamespace extends RemoteObject {
  constructor(calls: CallBatcher, name: string) {
    super(calls, 'namespace', name)
  }

  async get<T extends Json = Json>(attribute: string): Promise<T>
  async get<T extends Json, D>(attribute: string, fallback: D): Promise<T | D>
  async get(attribute: string, ...fallback: [unknown?]): Promise<unknown> {
    return this.callOr(fallback, 'get', keyText(attribute, 'attribute'))
  }

  async set(attribute: string, value: Json): Promise<void> {
    await this.call('set', keyText(attribute, 'attribute'), encode(value))
  }

  async delete(attribute: string): Promise<boolean> {
    return this.call('delete', keyText(attribute, 'attribute'))
  }

  async toObject(): Promise<Record<string, Json>> {
    return this.call('toObject')
  }
}
