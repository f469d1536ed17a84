import { checkKey } from '../arguments.js'
import type { Json } from '../codec.js'
import { isRedprocError } from '../errors.js'
import { validateName } from '../redis/keys.js'
import type { CallBatcher } from './call-batcher.js'

/** The kinds of object a manager server serves. */
export type RemoteKind = 'dict' | 'list' | 'namespace' | 'value'

/**
 * What every object reached through a `RemoteManager` has: its name, checked
 * as the direct object checks it, and its calls, sent as the server's
 * manager protocol has them: the method's name and its arguments as JSON.
 */
export abstract class RemoteObject {
  readonly name: string
  private readonly calls: CallBatcher
  /** `{"kind":"dict","name":"d"` — the start of each call's text. */
  private readonly target: string

  constructor(calls: CallBatcher, kind: RemoteKind, name: string, initialJson?: string) {
    this.name = validateName(name)
    this.calls = calls
    const initial = initialJson === undefined ? '' : `,"initial":${initialJson}`
    this.target = `{"kind":"${kind}","name":${JSON.stringify(name)}${initial}`
  }

  /** Calls `method` on the server's object; each argument is JSON text, checked by the caller. */
  protected call<T = Json>(method: string, ...args: string[]): Promise<T> {
    return this.calls.call(
      `${this.target},"method":"${method}","args":[${args.join(',')}]}`,
    ) as Promise<T>
  }

  /**
   * Calls `method`; when the key or attribute is not there (`KEY_ERROR`)
   * and a fallback was given, answers the fallback — which stays here, so it
   * need not be JSON, as with the direct object.
   */
  protected async callOr(
    fallback: [unknown?],
    method: string,
    ...args: string[]
  ): Promise<unknown> {
    try {
      return await this.call(method, ...args)
    } catch (error) {
      if (fallback.length > 0 && isRedprocError(error) && error.code === 'KEY_ERROR')
        return fallback[0]
      throw error
    }
  }
}

/** A key, checked as the direct object checks it, as JSON text. */
export function keyText(key: unknown, what = 'key'): string {
  return JSON.stringify(checkKey(key, what))
}
