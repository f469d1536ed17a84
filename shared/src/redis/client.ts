import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import { describe } from '../arguments.js'
import { ConnectionLost, isRedprocError, RedprocTypeError, ValueError } from '../errors.js'
import type { Logger } from '../logger.js'
import { longTimeout } from '../timers.js'
import {
  callDeadline,
  outsideDeadlines,
  unreachableWithin,
  withdrawAtDeadlines,
} from './call-deadline.js'
import type { RedisClient } from './redis-client.js'
import { holdOpen, refWhileBusy } from './socket-refs.js'
import { failStrandedCommands } from './stranded-commands.js'

export type { RedisClient } from './redis-client.js'

/**
 * Where Redis is: a URL, ioredis options (which also describe Sentinel:
 * `{ sentinels, name }`), or a cluster's seed nodes.
 */
export type RedisTarget = string | RedisOptions | ClusterTarget

export interface ClusterTarget {
  cluster: ClusterNode[]
  options?: ClusterOptions
}

/** How long a connection waits for Redis when `connectTimeoutMs` is not given. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

/**
 * ioredis's reconnection: attempts 50 ms apart, then 100 ms more each time,
 * up to this. A command waiting for a lost connection fails with
 * `CONNECTION` after ioredis's 20 attempts: about 8 s into an outage, and
 * every 10.5 s after that. With ioredis's own cap of 2 s, every command after
 * the first 10 s of an outage waited up to 42 s.
 */
const MAX_RECONNECT_DELAY_MS = 500

function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS)
}

/** Errors that say nothing listens at the address, or there is no such host. */
const REFUSALS = new Set(['ECONNREFUSED', 'ENOTFOUND'])

/**
 * A `redis` option: a `redis://` (or `rediss://`) URL, ioredis options, or
 * `{ cluster: nodes }`; a database index must be a whole number.
 */
export function checkRedisTarget(value: unknown, name: string): RedisTarget {
  if (typeof value === 'string') {
    checkRedisUrl(value, name)
    return value
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RedprocTypeError(
      `${name} must be a URL, ioredis options or { cluster: nodes }, not ${describe(value)}`,
    )
  }
  if ('cluster' in value && !Array.isArray(value.cluster)) {
    throw new RedprocTypeError(`${name}.cluster must be an array of { host, port } nodes`)
  }
  if ('db' in value && value.db !== undefined) checkDatabase(value.db, `${name}.db`)
  return value as RedisTarget
}

/** A redis:// URL, whose path, if any, is a database number. */
function checkRedisUrl(text: string, name: string): void {
  // ioredis takes "host:port" and other strings for a URL: only a redis:// URL is one here.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase()
  const example = 'as in redis://host:6379 or redis://:password@host:6379/0'
  if (scheme !== 'redis' && scheme !== 'rediss') {
    // The text itself is not shown: it may hold a password.
    const given = scheme ? `a ${scheme}:// URL` : 'a string without redis://'
    throw new ValueError(
      `${name} must be a redis:// URL (rediss:// for TLS), ${example}, not ${given}`,
    )
  }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ValueError(`${name} is not a valid URL; it must be ${example}`)
  }
  const path = url.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d+$/.test(path)) {
    throw new ValueError(
      `${name}: the database of a redis:// URL is a number, as in redis://host:6379/2, not ${describe(path)}`,
    )
  }
}

function checkDatabase(db: unknown, name: string): void {
  if (!Number.isSafeInteger(db)) {
    throw new RedprocTypeError(`${name} must be a whole number, not ${describe(db)}`)
  }
  if ((db as number) < 0) throw new ValueError(`${name} must not be negative, not ${db}`)
}

/** `connectTimeoutMs`: more than 0 ms; `Infinity` waits for as long as it takes. */
export function checkConnectTimeout(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new RedprocTypeError(`${name} must be a number of milliseconds, not ${describe(value)}`)
  }
  if (!(value > 0)) {
    throw new ValueError(
      `${name} must be more than 0 ms (Infinity waits for as long as it takes), not ${value}`,
    )
  }
  return value
}

/**
 * Opens a context's first client. Without `connectTimeoutMs`, a refused
 * connection (or an unknown host) fails with `CONNECTION` at once, as in
 * Python, and a host that does not answer after 10 s. With it, `connect`
 * waits that long, following a Redis that comes up meanwhile: a service
 * started before its Redis.
 */
export function openFirstClient(
  target: RedisTarget,
  logger: Logger,
  connectTimeoutMs: number | undefined,
): Promise<RedisClient> {
  return open(target, logger, connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, {
    failWhenRefused: connectTimeoutMs === undefined,
  })
}

/**
 * Opens one more client of a context (for blocking waits), riding out a
 * Redis that is restarting for up to `connectTimeoutMs` (10 s by default).
 * A call with a timeout of its own that needs it gives up at its deadline
 * once an attempt failed: Redis is unreachable, not merely being connected to.
 */
export function openClient(
  target: RedisTarget,
  logger: Logger,
  connectTimeoutMs: number | undefined,
): Promise<RedisClient> {
  const call = callDeadline()
  return open(target, logger, connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, {
    failWhenRefused: false,
    callDeadline: call && {
      remainingMs: call.remainingMs,
      error: (cause) => unreachableWithin(call.timeoutMs, cause),
    },
  })
}

interface OpenOptions {
  /** Fail at the first refusal rather than wait for a Redis to come up. */
  failWhenRefused: boolean
  /** The deadline of the call that needs the client, and its error. */
  callDeadline?: { remainingMs: number; error: (cause: Error) => ConnectionLost } | undefined
}

/** Opens a client and waits until it is ready, or fails with `CONNECTION` after `timeoutMs`. */
async function open(
  target: RedisTarget,
  logger: Logger,
  timeoutMs: number,
  options: OpenOptions,
): Promise<RedisClient> {
  // Its sockets outlive the call that opens it: no call's deadline goes with them.
  return outsideDeadlines(async () => {
    const client = createClient(target)
    client.on('error', (error: Error) => logger.warn({ err: error }, 'redis client error'))
    refWhileBusy(client)
    withdrawAtDeadlines(client)
    failStrandedCommands(client)
    // Someone awaits this connection: it holds the process until it is ready.
    const release = holdOpen(client)
    try {
      await whenReady(client, timeoutMs, options)
      await selectDatabase(client)
    } catch (error) {
      client.disconnect()
      throw error
    } finally {
      release()
    }
    return client
  })
}

function createClient(target: RedisTarget): RedisClient {
  const defaults = { lazyConnect: true, retryStrategy: reconnectDelay }
  if (typeof target === 'string') return new Redis(target, defaults)
  if ('cluster' in target)
    return new Cluster(target.cluster, { lazyConnect: true, ...target.options })
  return new Redis({ ...defaults, ...target })
}

/**
 * Resolves on the client's first `ready`, whichever attempt brings it: a
 * failed first attempt rejects `connect()`, but ioredis goes on retrying, and
 * a Redis that comes up within the timeout must be taken.
 */
function whenReady(client: RedisClient, timeoutMs: number, options: OpenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined
    const fail = (error: ConnectionLost) => {
      stopListening()
      reject(error)
    }
    let pastCallDeadline = false
    const onError = (error: Error) => {
      lastError = error
      if (options.failWhenRefused && isRefusal(error)) {
        fail(
          new ConnectionLost(
            `cannot connect to Redis: ${reasonOf(error)}. Is it running at that address? To wait for a Redis that is starting, pass connectTimeoutMs`,
            { cause: error },
          ),
        )
      } else if (pastCallDeadline && options.callDeadline) {
        fail(options.callDeadline.error(error))
      }
    }
    const stopListening = () => {
      cancelTimer()
      cancelCallTimer()
      client.off('error', onError)
      client.off('ready', onReady)
    }
    const onReady = () => {
      stopListening()
      resolve()
    }
    const cancelTimer = longTimeout(() => {
      const reason = lastError ? `: ${lastError.message}` : ''
      fail(
        new ConnectionLost(`Redis did not answer within ${timeoutMs} ms${reason}`, {
          cause: lastError,
        }),
      )
    }, timeoutMs)
    // Past the call's deadline, the first failed attempt ends the wait.
    const { callDeadline } = options
    const cancelCallTimer = callDeadline
      ? longTimeout(() => {
          pastCallDeadline = true
          if (lastError) fail(callDeadline.error(lastError))
        }, callDeadline.remainingMs)
      : () => {}
    client.on('error', onError)
    client.on('ready', onReady)
    client.connect().catch(onError)
  })
}

/** A refusal's message, without the retries it announces (none follow) or a final period. */
function reasonOf(error: Error): string {
  return error.message.replace(/ Retrying from scratch after \d+ms\./, '').replace(/\.+$/, '')
}

/** Nothing listens there, no such host, or no sentinel or cluster node of the set answers. */
function isRefusal(error: Error): boolean {
  return (
    REFUSALS.has((error as { code?: string }).code ?? '') ||
    error.name === 'ClusterAllFailedError' ||
    error.message.startsWith('All sentinels are unreachable')
  )
}

/**
 * ioredis selects the database as it connects but, when Redis refuses the
 * index, only reports it as an error event and goes on in database 0: ask
 * again, and refuse the connection rather than use another database.
 */
async function selectDatabase(client: RedisClient): Promise<void> {
  if (client instanceof Cluster) return
  const db = Number(client.options.db ?? 0)
  if (db === 0) return
  try {
    await client.select(db)
  } catch (error) {
    throw new ValueError(
      `Redis refused database ${db} (${(error as Error).message}): a Redis has databases 0 to 15 unless its databases setting gives more`,
      { cause: error },
    )
  }
}

/** Closes politely, and still closes when Redis no longer answers. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}

/**
 * Turns the client's give-up errors into `CONNECTION`, worded here rather
 * than in terms of ioredis's options; passes the rest through.
 */
export function translateRedisError(error: unknown): unknown {
  if (isRedprocError(error) || !(error instanceof Error)) return error
  if (error.name === 'MaxRetriesPerRequestError') {
    const attempts = /which is (\d+)/.exec(error.message)?.[1] ?? 'its'
    return new ConnectionLost(
      `Redis is unreachable: no answer through ${attempts} attempts to reconnect`,
      { cause: error },
    )
  }
  if (error.message.includes('Connection is closed') || error.message.includes('ECONNREFUSED')) {
    return new ConnectionLost(`Redis is unreachable: ${error.message}`, { cause: error })
  }
  return error
}
