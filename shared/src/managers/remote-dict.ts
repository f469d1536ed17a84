import { checkKey } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import { checkCount, checkCursor } from './dict.js'
import type { ManagerClient } from './manager-client.js'
import {
  compareAndSetResult,
  keySegment,
  preconditionHeaders,
  RemoteObject,
} from './remote-object.js'
import {
  type CompareAndSetResult,
  checkExpected,
  type Expected,
  type Versioned,
} from './versioned.js'

interface Page<V> {
  items: Record<string, V>
  cursor: string | null
  size: number
}

/** `Dict` through the manager server: the same methods and errors, over HTTP. */
export class RemoteDict<V extends Json = Json> extends RemoteObject {
  constructor(client: ManagerClient, name: string) {
    super(client, 'dicts', name)
  }

  async get<D = undefined>(key: string, fallback?: D): Promise<V | D> {
    const response = await this.send({ method: 'GET', accept: [404] }, keySegment(key))
    return response.status === 404 ? (fallback as D) : RemoteObject.valueOf<V>(response)
  }

  async set(key: string, value: V): Promise<void> {
    const segment = keySegment(key)
    await this.send({ method: 'PUT', body: `{"value":${encode(value)}}` }, segment)
  }

  async has(key: string): Promise<boolean> {
    const response = await this.send({ method: 'HEAD', accept: [404] }, keySegment(key))
    return response.status !== 404
  }

  async delete(key: string): Promise<boolean> {
    const response = await this.send({ method: 'DELETE' }, keySegment(key))
    return (response.body as { deleted: boolean }).deleted
  }

  async keys(): Promise<string[]> {
    return Object.keys(await this.toObject())
  }

  async values(): Promise<V[]> {
    return Object.values(await this.toObject())
  }

  async items(): Promise<Array<[string, V]>> {
    return Object.entries(await this.toObject())
  }

  async size(): Promise<number> {
    return (await this.fetchPage('0', 0)).size
  }

  /** `d.update(other)`: every pair is checked before any is sent, and all are written at once. */
  async update(other: Record<string, V> | Iterable<readonly [string, V]>): Promise<void> {
    const entries = Symbol.iterator in other ? [...other] : Object.entries(other)
    const pairs: string[] = []
    for (const [key, value] of entries) {
      pairs.push(
        `${JSON.stringify(checkKey(key))}:${encode(value, `value of ${JSON.stringify(key)}`)}`,
      )
    }
    if (pairs.length === 0) return
    await this.send({ method: 'PATCH', body: `{${pairs.join(',')}}` })
  }

  async pop(key: string): Promise<V>
  async pop<D>(key: string, fallback: D): Promise<V | D>
  async pop(key: string, ...fallback: [unknown?]): Promise<unknown> {
    const checked = checkKey(key)
    const accept = fallback.length > 0 ? [404] : []
    const body = JSON.stringify({ key: checked })
    const response = await this.send({ method: 'POST', body, accept }, '/pop')
    return response.status === 404 ? fallback[0] : RemoteObject.valueOf(response)
  }

  async setdefault(key: string, fallback: V | null = null): Promise<V> {
    const checked = checkKey(key)
    const json = encode(fallback, 'default')
    const response = await this.send(
      { method: 'POST', body: `{"key":${JSON.stringify(checked)},"default":${json}}` },
      '/setdefault',
    )
    return RemoteObject.valueOf<V>(response)
  }

  async clear(): Promise<void> {
    await this.send({ method: 'DELETE' })
  }

  /** Every pair, page by page: a big dict never travels in one response. */
  async toObject(): Promise<Record<string, V>> {
    const all: Record<string, V> = {}
    let cursor: string | null = '0'
    do {
      const page: Page<V> = await this.fetchPage(cursor, 1000)
      for (const [key, value] of Object.entries(page.items)) {
        Object.defineProperty(all, key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        })
      }
      cursor = page.cursor
    } while (cursor !== null)
    return all
  }

  /** One page, as `Dict.page`: the cursor after the last page is `'0'`. */
  async page(cursor = '0', count = 100): Promise<{ items: Record<string, V>; cursor: string }> {
    checkCursor(cursor)
    checkCount(count)
    const page = await this.fetchPage(cursor, count)
    return { items: page.items, cursor: page.cursor ?? '0' }
  }

  async entry(key: string): Promise<Versioned<V> | undefined> {
    const response = await this.send({ method: 'GET', accept: [404] }, keySegment(key))
    if (response.status === 404) return undefined
    return { value: RemoteObject.valueOf<V>(response), etag: response.etag as string }
  }

  async compareAndSet(key: string, expected: Expected, value: V): Promise<CompareAndSetResult> {
    const segment = keySegment(key)
    const headers = preconditionHeaders(checkExpected(expected))
    const body = `{"value":${encode(value)}}`
    return compareAndSetResult(
      await this.send({ method: 'PUT', body, headers, accept: [412] }, segment),
    )
  }

  async compareAndDelete(key: string, expected: Expected): Promise<CompareAndSetResult> {
    const segment = keySegment(key)
    const headers = preconditionHeaders(checkExpected(expected))
    const response = await this.send({ method: 'DELETE', headers, accept: [412] }, segment)
    return compareAndSetResult(response)
  }

  private async fetchPage(cursor: string, count: number): Promise<Page<V>> {
    const response = await this.send({ method: 'GET', query: { cursor, count } })
    return response.body as Page<V>
  }
}
