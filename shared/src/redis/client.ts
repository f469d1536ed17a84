import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import { describe } from '../arguments.js'
import { ConnectionLost, isRedprocError, RedprocTypeError, ValueError } from '../errors.js'
import type { Logger } from '../logger.js'
import { longTimeout } from '../timers.js'
import { holdOpen, refWhileBusy } from './socket-refs.js'

/**
 * Where Redis is: a URL, ioredis options (which also describe Sentinel:
 * `{ sentinels, name }`), or a cluster's seed nodes.
 */
export type RedisTarget = string | RedisOptions | ClusterTarget

export interface ClusterTarget {
  cluster: ClusterNode[]
  options?: ClusterOptions
}

export type RedisClient = Redis | Cluster

/** A `redis` option: a URL, ioredis options, or `{ cluster: nodes }`. */
export function checkRedisTarget(value: unknown, name: string): RedisTarget {
  if (typeof value === 'string') return value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RedprocTypeError(
      `${name} must be a URL, ioredis options or { cluster: nodes }, not ${describe(value)}`,
    )
  }
  if ('cluster' in value && !Array.isArray(value.cluster)) {
    throw new RedprocTypeError(`${name}.cluster must be an array of { host, port } nodes`)
  }
  return value as RedisTarget
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
 * Opens a client and waits until it is ready, or fails with `CONNECTION` after
 * `connectTimeoutMs` (`Infinity`: waits for as long as it takes).
 */
export async function openClient(
  target: RedisTarget,
  logger: Logger,
  connectTimeoutMs: number,
): Promise<RedisClient> {
  const client = createClient(target)
  client.on('error', (error: Error) => logger.warn({ err: error }, 'redis client error'))
  refWhileBusy(client)
  // Someone awaits this connection: it holds the process until it is ready.
  const release = holdOpen(client)
  try {
    await whenReady(client, connectTimeoutMs)
  } catch (error) {
    client.disconnect()
    throw error
  } finally {
    release()
  }
  return client
}

function createClient(target: RedisTarget): RedisClient {
  if (typeof target === 'string') return new Redis(target, { lazyConnect: true })
  if ('cluster' in target)
    return new Cluster(target.cluster, { lazyConnect: true, ...target.options })
  return new Redis({ lazyConnect: true, ...target })
}

/**
 * Resolves on the client's first `ready`, whichever attempt brings it: a
 * failed first attempt rejects `connect()`, but ioredis goes on retrying, and
 * a Redis that comes up within the timeout must be taken.
 */
function whenReady(client: RedisClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined
    const onError = (error: Error) => {
      lastError = error
    }
    const stopListening = () => {
      cancelTimer()
      client.off('error', onError)
      client.off('ready', onReady)
    }
    const onReady = () => {
      stopListening()
      resolve()
    }
    const cancelTimer = longTimeout(() => {
      stopListening()
      const reason = lastError ? `: ${lastError.message}` : ''
      reject(
        new ConnectionLost(`Redis did not answer within ${timeoutMs} ms${reason}`, {
          cause: lastError,
        }),
      )
    }, timeoutMs)
    client.on('error', onError)
    client.on('ready', onReady)
    client.connect().catch(onError)
  })
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

/** Turns the client's give-up errors into `CONNECTION`; passes the rest through. */
export function translateRedisError(error: unknown): unknown {
  if (isRedprocError(error) || !(error instanceof Error)) return error
  if (
    error.name === 'MaxRetriesPerRequestError' ||
    error.message.includes('Connection is closed') ||
    error.message.includes('ECONNREFUSED')
  ) {
    return new ConnectionLost(`Redis is unreachable: ${error.message}`, { cause: error })
  }
  return error
}
