import { type ConnectOptions, type Context, connect, isRedprocError } from '@redproc/shared'
import type { Logger } from 'pino'

/**
 * Connects to Redis, or logs one line saying which Redis did not answer and
 * exits 1: a service that cannot reach Redis at start has nothing to do.
 */
export async function connectOrExit(
  service: string,
  options: ConnectOptions & { redis: string },
  logger: Logger,
): Promise<Context> {
  try {
    return await connect({ logger: logger.child({ component: 'redproc' }), ...options })
  } catch (error) {
    if (!isRedprocError(error, 'CONNECTION')) throw error
    const where = new URL(options.redis)
    where.password = ''
    process.stderr.write(`${service}: Redis at ${where.href} does not answer: ${error.message}\n`)
    process.exit(1)
  }
}
