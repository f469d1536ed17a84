import { ERROR_CODES, type ErrorCode, errorFor, type RedprocError } from '../errors.js'
import { isUnreachable, unreachableWithin } from './call-deadline.js'
import { type RedisClient, translateRedisError } from './client.js'
import type { ObjectKeys } from './keys.js'
import type { ReplicaWait } from './replica-wait.js'
import type { Scope } from './scope.js'

const SCRIPT_ERROR = /^([A-Z_]+) (.*)$/s

/** What every object kept in Redis has: its context, name and keys. */
export abstract class SharedObject {
  readonly name: string
  protected readonly mp: Scope
  /** The object's main key. */
  protected readonly key: string
  /** Every key of the object: `objectKeys.part('meta')` and so on. */
  protected readonly objectKeys: ObjectKeys
  private readonly kind: string
  private creation: Promise<unknown> | undefined

  constructor(mp: Scope, kind: string, name: string) {
    this.mp = mp
    this.kind = kind
    this.objectKeys = mp.keys(kind, name)
    this.key = this.objectKeys.base
    this.name = name
  }

  /**
   * Runs one Redis exchange. Errors a Lua script raised as `CODE message`
   * become that `RedprocError` (its Python-named subclass, so `instanceof
   * ShutDown` works); an unreachable Redis becomes `CONNECTION`. With
   * `durability`, an exchange that wrote resolves once the replicas hold
   * what it wrote; one that only read resolves at once.
   */
  protected call<T>(exchange: (redis: RedisClient) => Promise<T>): Promise<T> {
    const replicaWait = this.mp.replicaWait
    if (replicaWait) return this.callDurably(exchange, replicaWait)
    // Not an async function: most calls are one awaited command, and this
    // adds a single step to its promise rather than two.
    let reply: Promise<T>
    try {
      reply = exchange(this.mp.redis)
    } catch (error) {
      return Promise.reject(this.redprocError(error))
    }
    return reply.then(undefined, (error: unknown) => {
      throw this.redprocError(error)
    })
  }

  /** `call` under `durability`: it resolves, when it wrote, once the replicas hold what it wrote. */
  private async callDurably<T>(
    exchange: (redis: RedisClient) => Promise<T>,
    replicaWait: ReplicaWait,
  ): Promise<T> {
    let result: T
    let wrote: boolean
    try {
      ;({ result, wrote } = await replicaWait.track(() => exchange(this.mp.redis)))
    } catch (error) {
      throw this.redprocError(error)
    }
    if (wrote) await replicaWait.afterWrites()
    return result
  }

  /** A script's `CODE message` as that `RedprocError`, a lost connection as `CONNECTION`. */
  private redprocError(error: unknown): unknown {
    const match = error instanceof Error ? SCRIPT_ERROR.exec(error.message) : null
    if (match && ERROR_CODES.includes(match[1] as ErrorCode)) {
      return errorFor(match[1] as ErrorCode, `${this.describe()}: ${match[2]}`)
    }
    return translateRedisError(error)
  }

  /**
   * What a wait that ran out fails with: `timedOut`, or `CONNECTION` while
   * Redis is unreachable, since then nobody could tell.
   */
  protected ranOut(timeoutMs: number | undefined, timedOut: RedprocError): RedprocError {
    return isUnreachable(this.mp.redis) ? unreachableWithin(timeoutMs ?? 0) : timedOut
  }

  /**
   * Runs `create` once per handle, before the handle's first command: how
   * objects with an initial content (value, array) come into being in Redis.
   */
  protected createOnce(create: (redis: RedisClient) => Promise<unknown>): Promise<unknown> {
    this.creation ??= create(this.mp.redis).catch((error) => {
      this.creation = undefined
      throw error
    })
    return this.creation
  }

  /** How messages name this object: `list 'jobs'`. */
  protected describe(): string {
    return `${this.kind} '${this.name}'`
  }
}
