import { checkIndex } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import type { ManagerClient } from './manager-client.js'
import { RemoteObject } from './remote-object.js'

/** `List` through the manager server: the same methods and errors, over HTTP. */
export class RemoteList<T extends Json = Json> extends RemoteObject {
  constructor(client: ManagerClient, name: string) {
    super(client, 'lists', name)
  }

  async append(item: T): Promise<void> {
    await this.send({ method: 'POST', body: `{"append":${encode(item)}}` })
  }

  async extend(items: Iterable<T>): Promise<void> {
    const texts = [...items].map((item, i) => encode(item, `items[${i}]`))
    if (texts.length === 0) return
    await this.send({ method: 'POST', body: `{"extend":[${texts.join(',')}]}` })
  }

  async get(index: number): Promise<T> {
    checkIndex(index)
    return RemoteObject.valueOf<T>(await this.send({ method: 'GET' }, `/${index}`))
  }

  async set(index: number, item: T): Promise<void> {
    checkIndex(index)
    await this.send({ method: 'PUT', body: `{"value":${encode(item)}}` }, `/${index}`)
  }

  async pop(index = -1): Promise<T> {
    checkIndex(index)
    const response = await this.send({ method: 'POST', body: `{"index":${index}}` }, '/pop')
    return RemoteObject.valueOf<T>(response)
  }

  async insert(index: number, item: T): Promise<void> {
    checkIndex(index)
    const body = `{"index":${index},"value":${encode(item)}}`
    await this.send({ method: 'POST', body }, '/insert')
  }

  async remove(item: T): Promise<void> {
    await this.send({ method: 'POST', body: `{"value":${encode(item)}}` }, '/remove')
  }

  async index(item: T): Promise<number> {
    const response = await this.send(
      { method: 'POST', body: `{"value":${encode(item)}}` },
      '/index',
    )
    return (response.body as { index: number }).index
  }

  async count(item: T): Promise<number> {
    const response = await this.send(
      { method: 'POST', body: `{"value":${encode(item)}}` },
      '/count',
    )
    return (response.body as { count: number }).count
  }

  async length(): Promise<number> {
    const response = await this.send({ method: 'GET', query: { start: 0, stop: 0 } })
    return (response.body as { length: number }).length
  }

  async slice(start = 0, stop?: number): Promise<T[]> {
    checkIndex(start, 'start')
    if (stop !== undefined) checkIndex(stop, 'stop')
    const response = await this.send({ method: 'GET', query: { start, stop } })
    return (response.body as { items: T[] }).items
  }

  async toArray(): Promise<T[]> {
    return this.slice()
  }

  async clear(): Promise<void> {
    await this.send({ method: 'DELETE' })
  }
}
