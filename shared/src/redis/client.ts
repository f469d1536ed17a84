import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import { ConnectionLost, isRedprocError } from '../errors.js'
import type { Logger } from '../logger.js'

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

/** Opens a client and waits until it is ready, or fails with `CONNECTION`. */
export async function openClient(
  target: RedisTarget,
  logger: Logger,
  connectTimeoutMs: number,
): Promise<RedisClient> {
  const client = createClient(target)
  client.on('error', (error: Error) => logger.warn({ err: error }, 'redis client error'))
  try {
    await whenReady(client, connectTimeoutMs)
  } catch (error) {
    client.disconnect()
    throw error
  }
  return client
}

function createClient(target: RedisTarget): RedisClient {
  if (typeof target === 'string') return new Redis(target, { lazyConnect: true })
  if ('cluster' in target)
    return new Cluster(target.cluster, { lazyConnect: true, ...target.options })
  return new Redis({ lazyConnect: true, ...target })
}

function whenReady(client: RedisClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined
    const onError = (error: Error) => {
      lastError = error
    }
    const timer = setTimeout(() => {
      client.off('error', onError)
      const reason = lastError ? `: ${lastError.message}` : ''
      reject(
        new ConnectionLost(`Redis did not answer within ${timeoutMs} ms${reason}`, {
          cause: lastError,
        }),
      )
    }, timeoutMs)
    client.on('error', onError)
    client.connect().then(
      () => {
        clearTimeout(timer)
        client.off('error', onError)
        resolve()
      },
      (error: Error) => {
        // ioredis keeps retrying after a failed first attempt; the timer decides.
        lastError = error
      },
    )
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
