import { checkKey } from '../arguments.js'
import { ValueError } from '../errors.js'
import { validateName } from '../redis/keys.js'
import type { ManagerClient, ManagerRequest, ManagerResponse } from './manager-client.js'
import type { CompareAndSetResult, Expected } from './versioned.js'

/**
 * What every object reached through a `RemoteManager` has: its name, checked
 * as the direct object checks it, and the path of its resource on the server.
 */
export abstract class RemoteObject {
  readonly name: string
  protected readonly client: ManagerClient
  /** `/v1/dicts/<name>` */
  protected readonly path: string

  constructor(client: ManagerClient, collection: string, name: string) {
    this.name = validateName(name)
    this.client = client
    this.path = `/v1/${collection}/${encodeURIComponent(name)}`
  }

  protected send(request: Omit<ManagerRequest, 'path'>, below = ''): Promise<ManagerResponse> {
    return this.client.send({ ...request, path: `${this.path}${below}` })
  }

  /** The value of a `{ value }` body. */
  protected static valueOf<T>(response: ManagerResponse): T {
    return (response.body as { value: T }).value
  }
}

/** A key or attribute as a path segment: `checkKey`, and not empty, which a URL cannot name. */
export function keySegment(key: unknown, what = 'key'): string {
  const checked = checkKey(key, what)
  if (checked === '') {
    throw new ValueError(`an empty ${what} cannot be named in a URL; use it through a direct dict`)
  }
  return `/${encodeURIComponent(checked)}`
}

/** If-Match / If-None-Match for a compare-and-set that expects `expected`. */
export function preconditionHeaders(expected: Expected): Record<string, string> {
  if (expected === null) return { 'if-none-match': '*' }
  return { 'if-match': expected === '*' ? '*' : `"${expected}"` }
}

/** A PUT or DELETE sent with preconditions: 2xx is done, 412 a lost race. */
export function compareAndSetResult(response: ManagerResponse): CompareAndSetResult {
  return { ok: response.status < 300, etag: response.etag }
}
