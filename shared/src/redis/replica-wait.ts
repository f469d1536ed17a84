import { AsyncLocalStorage } from 'node:async_hooks'
import type { Redis } from 'ioredis'
import { ConnectionLost, RedprocTypeError, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { type RedisClient, translateRedisError } from './client.js'

/** `connect({ durability })`: how many replicas must hold a write before it is acknowledged. */
export interface Durability {
  /** Replicas that must confirm each write (Redis `WAIT`); at least 1. */
  replicas: number
  /** How long a call waits for them, in ms, before it fails with `CONNECTION`. @default 1000 */
  timeoutMs?: number
}

export const DURABILITY_DEFAULTS = { timeoutMs: 1000 } as const

/**
 * The commands the objects send that change nothing: an exchange of these
 * alone has nothing to wait for. Any other command (a script included)
 * counts as a write.
 */
const READS = new Set([
  'exists',
  'get',
  'hexists',
  'hget',
  'hgetall',
  'hkeys',
  'hlen',
  'hmget',
  'hscan',
  'hstrlen',
  'hvals',
  'lindex',
  'llen',
  'lrange',
  'mget',
  'pttl',
  'scan',
  'scard',
  'sismember',
  'smembers',
  'strlen',
  'time',
  'ttl',
  'type',
  'xlen',
  'xrange',
  'xrevrange',
  'zcard',
  'zrange',
  'zrangebyscore',
  'zscore',
])

/** The exchange a command is sent for, while `track` runs it. */
const exchanges = new AsyncLocalStorage<{ wrote: boolean }>()

const DURABILITY: Schema<Durability> = {
  replicas: option.integer(1),
  timeoutMs: option.integer(1),
}

export function checkDurability(value: unknown, name: string): Required<Durability> {
  const checked = checkOptions(value as Durability, DURABILITY, name)
  if (checked.replicas === undefined) {
    throw new RedprocTypeError(`${name} must say how many replicas: { replicas: 1 }`)
  }
  return {
    replicas: checked.replicas,
    timeoutMs: checked.timeoutMs ?? DURABILITY_DEFAULTS.timeoutMs,
  }
}

/**
 * Makes writes wait for replicas, as Redis's `WAIT` does: a call that ran
 * on the shared client resolves only once a `WAIT` sent after it confirms
 * that `replicas` replicas hold everything the client wrote — so what was
 * acknowledged survives the master's loss in a Sentinel failover. The calls
 * that finish while one `WAIT` is out share the next one.
 */
export class ReplicaWait {
  private readonly redis: Redis
  private next:
    | { promise: Promise<void>; resolve(): void; reject(error: unknown): void }
    | undefined
  private inFlight = false

  constructor(
    redis: RedisClient,
    private readonly durability: Required<Durability>,
  ) {
    if ((redis as { isCluster?: boolean }).isCluster) {
      throw new ValueError(
        'durability needs one master: on a cluster, WAIT would reach a node other than the one written',
      )
    }
    this.redis = redis as Redis
    const send = this.redis.sendCommand
    this.redis.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
      const exchange = exchanges.getStore()
      if (exchange && !READS.has(args[0].name)) exchange.wrote = true
      return send.apply(this, args)
    }
  }

  /** Runs `exchange`, telling whether it sent a command that writes. */
  async track<T>(exchange: () => Promise<T>): Promise<{ result: T; wrote: boolean }> {
    const seen = { wrote: false }
    const result = await exchanges.run(seen, exchange)
    return { result, wrote: seen.wrote }
  }

  /** Resolves once the writes this client sent so far are on the replicas. */
  afterWrites(): Promise<void> {
    if (!this.next) {
      let resolve!: () => void
      let reject!: (error: unknown) => void
      const promise = new Promise<void>((res, rej) => {
        resolve = res
        reject = rej
      })
      this.next = { promise, resolve, reject }
    }
    const { promise } = this.next
    if (!this.inFlight) this.sendNext()
    return promise
  }

  private sendNext(): void {
    const waiting = this.next
    if (!waiting) return
    this.next = undefined
    this.inFlight = true
    const { replicas, timeoutMs } = this.durability
    this.redis
      .wait(replicas, timeoutMs)
      .then(
        (confirmed) => {
          if (confirmed >= replicas) waiting.resolve()
          else {
            waiting.reject(
              new ConnectionLost(
                `written on the master, but ${confirmed} of ${replicas} replicas confirmed it within ${timeoutMs} ms: a failover now could lose it`,
              ),
            )
          }
        },
        (error: unknown) => waiting.reject(translateRedisError(error)),
      )
      .finally(() => {
        this.inFlight = false
        this.sendNext()
      })
  }
}
