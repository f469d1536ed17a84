import type { Json, Widen } from '../codec.js'
import { RedprocTypeError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { CallBatcher } from './call-batcher.js'
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

const OPTIONS: Schema<RemoteManagerOptions> = {
  authkey: option.string,
  connections: option.integer(1),
  timeoutMs: option.integer(1),
}

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
  private readonly calls: CallBatcher
  private closing: Promise<void> | undefined

  private constructor(client: ManagerClient, namespace: string) {
    this.client = client
    this.calls = new CallBatcher(client)
    this.serverNamespace = namespace
  }

  /**
   * Connects and checks the key, as `BaseManager.connect()` does: `AUTH` on
   * a wrong key, `CONNECTION` when no server answers.
   */
  static async connect(url: string | URL, options: RemoteManagerOptions): Promise<RemoteManager> {
    const base = checkUrl(url)
    const checked = checkOptions(options, OPTIONS, 'RemoteManager.connect options')
    if (checked.authkey === undefined || checked.authkey === '') {
      throw new RedprocTypeError("authkey must be a non-empty string: the api service's key")
    }
    const client = await ManagerClient.open(
      base,
      checked.authkey,
      checked.connections ?? REMOTE_MANAGER_DEFAULTS.connections,
      checked.timeoutMs ?? REMOTE_MANAGER_DEFAULTS.timeoutMs,
    )
    try {
      const server = (await client.send({ method: 'GET', path: '/v1' })) as { namespace: string }
      return new RemoteManager(client, server.namespace)
    } catch (error) {
      await client.close()
      throw error
    }
  }

  /** `Manager().dict()` */
  dict<V extends Json = Json>(name: string): RemoteDict<V> {
    return new RemoteDict<V>(this.calls, name)
  }

  /** `Manager().list()` */
  list<T extends Json = Json>(name: string): RemoteList<T> {
    return new RemoteList<T>(this.calls, name)
  }

  /** `Manager().Namespace()` */
  namespace(name: string): RemoteNamespace {
    return new RemoteNamespace(this.calls, name)
  }

  /** `Manager().Value()`: the first handle to touch it creates it with `initial`. */
  value<T extends Json = Json>(name: string, initial: T | null = null): RemoteValue<Widen<T>> {
    return new RemoteValue<Widen<T>>(this.calls, name, initial as Widen<T> | null)
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
