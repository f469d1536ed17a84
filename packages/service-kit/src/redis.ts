import { setTimeout as sleep } from 'node:timers/promises'
import { type ConnectOptions, type Context, connect, isRedprocError } from '@redproc/shared'
import type { Logger } from 'pino'

/** How long a service waits at start for a Redis that is still coming up (started beside it). */
export const START_WAIT_MS = 10_000

/**
 * Connects to Redis, waiting up to `START_WAIT_MS` for one that is starting
 * (unless the options say otherwise), or logs one line saying which Redis did
 * not answer and exits 1: a service that cannot reach Redis has nothing to do.
 */
export async function connectOrExit(
  service: string,
  options: ConnectOptions & { redis: string },
  logger: Logger,
): Promise<Context> {
  try {
    return await connect({
      logger: logger.child({ component: 'redproc' }),
      connectTimeoutMs: START_WAIT_MS,
      ...options,
    })
  } catch (error) {
    // Redis away, or a URL it refuses (a database it does not have): one line, not a stack.
    if (!isRedprocError(error)) throw error
    const where = new URL(options.redis)
    where.password = ''
    const what = isRedprocError(error, 'CONNECTION') ? 'does not answer' : 'refused the connection'
    process.stderr.write(`${service}: Redis at ${where.href} ${what}: ${error.message}\n`)
    process.exit(1)
  }
}

/** How long a readiness probe waits for Redis's answer: an orchestrator's probe times out too. */
const READY_TIMEOUT_MS = 1000

/**
 * Whether Redis answers now, for `/readyz`: false at once while the client
 * reconnects (a PING would wait in its offline queue), and false when the
 * PING takes longer than `timeoutMs`.
 */
export async function redisAnswers(mp: Context, timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
  if (mp.redis.status !== 'ready') return false
  const timeout = new AbortController()
  try {
    return await Promise.race([
      mp.redis.ping().then((reply) => reply === 'PONG'),
      sleep(timeoutMs, false, { signal: timeout.signal }),
    ])
  } catch {
    return false
  } finally {
    timeout.abort()
  }
}
