import type { Json } from '../codec.js'
import { encode } from '../codec.js'
import type { ManagerClient } from './manager-client.js'
import { keySegment, RemoteObject } from './remote-object.js'

/** `Namespace` through the manager server: the same methods and errors, over HTTP. */
export class RemoteNamespace extends RemoteObject {
  constructor(client: ManagerClient, name: string) {
    super(client, 'namespaces', name)
  }

  async get<T extends Json = Json>(attribute: string): Promise<T>
  async get<T extends Json, D>(attribute: string, fallback: D): Promise<T | D>
  async get(attribute: string, ...fallback: [unknown?]): Promise<unknown> {
    const segment = keySegment(attribute, 'attribute')
    const accept = fallback.length > 0 ? [404] : []
    const response = await this.send({ method: 'GET', accept }, segment)
    return response.status === 404 ? fallback[0] : RemoteObject.valueOf(response)
  }

  async set(attribute: string, value: Json): Promise<void> {
    const segment = keySegment(attribute, 'attribute')
    await this.send({ method: 'PUT', body: `{"value":${encode(value)}}` }, segment)
  }

  async delete(attribute: string): Promise<boolean> {
    const response = await this.send({ method: 'DELETE' }, keySegment(attribute, 'attribute'))
    return (response.body as { deleted: boolean }).deleted
  }

  async toObject(): Promise<Record<string, Json>> {
    const response = await this.send({ method: 'GET' })
    return (response.body as { attributes: Record<string, Json> }).attributes
  }
}
