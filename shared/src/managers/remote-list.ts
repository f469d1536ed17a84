import { checkIndex } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import { checkOptions } from '../options.js'
import type { CallBatcher } from './call-batcher.js'
import { SORT_OPTIONS, type SortOptions } from './list.js'
import { RemoteObject } from './remote-object.js'

/** `List` through the manager server: the same methods and errors. */
export class RemoteList<T extends Json = Json> extends RemoteObject {
  constructor(calls: CallBatcher, name: string) {
    super(calls, 'list', name)
  }

  async append(item: T): Promise<void> {
    await this.call('append', encode(item))
  }

  async extend(items: Iterable<T>): Promise<void> {
    const texts = [...items].map((item, i) => encode(item, `items[${i}]`))
    if (texts.length === 0) return
    await this.call('extend', `[${texts.join(',')}]`)
  }

  async get(index: number): Promise<T> {
    return this.call('get', String(checkIndex(index)))
  }

  async set(index: number, item: T): Promise<void> {
    await this.call('set', String(checkIndex(index)), encode(item))
  }

  async pop(index = -1): Promise<T> {
    return this.call('pop', String(checkIndex(index)))
  }

  async insert(index: number, item: T): Promise<void> {
    await this.call('insert', String(checkIndex(index)), encode(item))
  }

  async remove(item: T): Promise<void> {
    await this.call('remove', encode(item))
  }

  async index(item: T): Promise<number> {
    return this.call('index', encode(item))
  }

  async count(item: T): Promise<number> {
    return this.call('count', encode(item))
  }

  /** `l.sort(key=…, reverse=…)`, atomically on the server; the key is a field path, as for the direct list. */
  async sort(options?: SortOptions): Promise<void> {
    const checked = checkOptions(options, SORT_OPTIONS, 'sort() options')
    await this.call('sort', JSON.stringify(checked))
  }

  async reverse(): Promise<void> {
    await this.call('reverse')
  }

  async length(): Promise<number> {
    return this.call('length')
  }

  async slice(start = 0, stop?: number): Promise<T[]> {
    const args = [String(checkIndex(start, 'start'))]
    if (stop !== undefined) args.push(String(checkIndex(stop, 'stop')))
    return this.call('slice', ...args)
  }

  async toArray(): Promise<T[]> {
    return this.slice()
  }

  async clear(): Promise<void> {
    await this.call('clear')
  }
}
