import type { TestContext } from 'node:test'
import { Redis } from 'ioredis'
// The same starter `npm test` uses: a redis-server of the test's own on a free port.
import { startRedisServer } from '../../../scripts/redis.mjs'
import { type Context, connect } from '../../src/index.js'
import { uniqueNamespace } from './redis.js'

export interface PrivateRedis {
  readonly url: string
  /** A client of the test's own, for faults: CLIENT KILL, CLIENT PAUSE, DEBUG SLEEP. */
  readonly admin: Redis
  /** A context on a fresh namespace of this Redis, closed before the server stops. */
  connect(): Promise<Context>
}

/**
 * A redis-server for one test, which may kill its clients or pause it without
 * disturbing the tests that run beside it. Stopped when the test ends.
 */
export async function startPrivateRedis(t: TestContext): Promise<PrivateRedis> {
  const server = await startRedisServer([])
  const admin = new Redis(server.url)
  const contexts: Context[] = []
  t.after(async () => {
    await Promise.all(contexts.map((mp) => mp.close()))
    admin.disconnect()
    await server.stop()
  })
  return {
    url: server.url,
    admin,
    async connect() {
      const mp = await connect({ redis: server.url, namespace: uniqueNamespace() })
      contexts.push(mp)
      return mp
    },
  }
}

/** Clients of `redis` that are subscribed to at least one channel. */
export async function subscribers(admin: Redis): Promise<number> {
  const list = (await admin.client('LIST')) as string
  return list.split('\n').filter((line) => /\bsub=[1-9]/.test(line)).length
}
