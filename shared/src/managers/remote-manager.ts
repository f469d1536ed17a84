import type { Json, Widen } from '../codec.js'
import { RedprocTypeError } from '../errors.js'
import { ManagerClient } from './manager-client.js'
import { RemoteDict } from './remote-dict.js'
import { RemoteList } from './remote-list.js'
import { RemoteNamespace } from './remote-namespace.js'
import { RemoteValue } from './remote-value.js'

export interface RemoteManagerOptions {
  /** The manager server's auth key: `REDPROC_AUTHKEY` of the api service. */
  authkey: string
  /** Keep-alive connections kept open to the server. @default 16 */
  connections?: number
  /** How long one request may wait for the server's answer, in ms. @default 30000 */
  timeoutMs?: number
}

export const REMOTE_MANAGER_DEFAULTS = { connections: 16, timeoutMs: 30_000 } as const

/**
 * Python's `BaseManager(address, authkey)` client: the shared dicts, lists,
 * namespaces and values of the api service's namespace, with the same
 * methods and errors as `mp.dict` and the others, over HTTP — for a process
 * that has no way to Redis, only to the api.
 *
 * ```ts
 * await using manager = await RemoteManager.connect('http://host:3000', { authkey })
 * const shared = manager.list('shared')
 * await shared.append(1)
 * ```
 */
export class RemoteManager implements AsyncDisposable {
  /** The redproc namespace the server serves (its `REDPROC_NAMESPACE`). */
  readonly serverNamespace: string
  private readonly client: ManagerClient
  private closing: Promise<void> | undefined

  private constructor(client: ManagerClient, namespace: string) {
    this.client = client
    this.serverNamespace = namespace
  }

  /**
   * Connects and checks the key, as `BaseManager.connect()` does: `AUTH` on
   * a wrong key, `CONNECTION` when no server answers.
   */
  static async connect(url: string | URL, options: RemoteManagerOptions): Promise<RemoteManager> {
    const base = checkUrl(url)
    const resolved = checkOptions(options)
    const client = new ManagerClient(
      base,
      resolved.authkey,
      resolved.connections,
      resolved.timeoutMs,
    )
    try {
      const response = await client.send({ method: 'GET', path: '/v1' })
      return new RemoteManager(client, (response.body as { namespace: string }).namespace)
    } catch (error) {
      await client.close()
      throw error
    }
  }

  /** `Manager().dict()` */
  dict<V extends Json = Json>(name: string): RemoteDict<V> {
    return new RemoteDict<V>(this.client, name)
  }

  /** `Manager().list()` */
  list<T extends Json = Json>(name: string): RemoteList<T> {
    return new RemoteList<T>(this.client, name)
  }

  /** `Manager().Namespace()` */
  namespace(name: string): RemoteNamespace {
    return new RemoteNamespace(this.client, name)
  }

  /** `Manager().Value()`: the first handle to touch it creates it with `initial`. */
  value<T extends Json = Json>(name: string, initial: T | null = null): RemoteValue<Widen<T>> {
    return new RemoteValue<Widen<T>>(this.client, name, initial as Widen<T> | null)
  }

  /** Closes the connections; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.client.close()
    return this.closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

function checkUrl(url: unknown): URL {
  let parsed: URL
  try {
    parsed = new URL(url as string)
  } catch {
    throw new RedprocTypeError(`url must be the api's http(s) URL, like 'http://host:3000'`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RedprocTypeError(`url must be http: or https:, not ${parsed.protocol}`)
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new RedprocTypeError(
      'url must hold no credentials, query or fragment: pass the authkey option',
    )
  }
  return parsed
}

function checkOptions(options: unknown): Required<RemoteManagerOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RedprocTypeError('RemoteManager.connect options must be an object like { authkey }')
  }
  const known = ['authkey', 'connections', 'timeoutMs']
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RedprocTypeError(
        `RemoteManager.connect has no option ${JSON.stringify(key)}; it takes ${known.join(', ')}`,
      )
    }
  }
  const { authkey, connections, timeoutMs } = options as RemoteManagerOptions
  if (typeof authkey !== 'string' || authkey === '') {
    throw new RedprocTypeError("authkey must be a non-empty string: the api service's key")
  }
  return {
    authkey,
    connections: positiveInteger(connections, 'connections') ?? REMOTE_MANAGER_DEFAULTS.connections,
    timeoutMs: positiveInteger(timeoutMs, 'timeoutMs') ?? REMOTE_MANAGER_DEFAULTS.timeoutMs,
  }
}

function positiveInteger(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RedprocTypeError(`${what} must be a positive integer`)
  }
  return value as number
}
