import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { Redis } from 'ioredis'
import { type Context, connect } from '../../src/index.js'
import { uniqueNamespace } from './redis.js'
import { until } from './until.js'

/** A redis-server of the test's own, which it may stop, start late, or count commands on. */
export interface PrivateRedis {
  readonly url: string
  readonly port: number
  /** An administrative client: INFO, CONFIG RESETSTAT, and faults: CLIENT KILL, CLIENT PAUSE. */
  readonly admin: Redis
  /** A context on a fresh namespace of this Redis, closed before the server stops. */
  connect(): Promise<Context>
  /** Kills the server (SIGKILL: no goodbye to its clients) and waits until it is gone. */
  kill(): Promise<void>
}

/** A port on which nothing listens now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Starts a redis-server without persistence on `port` (a free one by
 * default) and waits until it answers; it is stopped when the test ends.
 */
export async function startPrivateRedis(t: TestContext, port?: number): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort())
  const dir = mkdtempSync(join(tmpdir(), 'redproc-test-redis-'))
  const server = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: dir, stdio: 'ignore' },
  )
  const exited = once(server, 'exit')
  const admin = new Redis(chosen, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 })
  const contexts: Context[] = []
  t.after(async () => {
    await Promise.all(contexts.map((mp) => mp.close()))
    admin.disconnect()
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  })
  // ioredis retries a refused first attempt by itself.
  admin.connect().catch(() => {})
  await until(() => admin.status === 'ready', `redis-server to answer on port ${chosen}`)
  const url = `redis://127.0.0.1:${chosen}`
  return {
    url,
    port: chosen,
    admin,
    async connect() {
      const mp = await connect({ redis: url, namespace: uniqueNamespace() })
      contexts.push(mp)
      return mp
    },
    async kill() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
      await exited
    },
  }
}

/** Clients of `redis` that are subscribed to at least one channel. */
export async function subscribers(admin: Redis): Promise<number> {
  const list = (await admin.client('LIST')) as string
  return list.split('\n').filter((line) => /\bsub=[1-9]/.test(line)).length
}

/** How many times Redis ran each command since it started (or since CONFIG RESETSTAT). */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>()
  for (const line of (await redis.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line)
    if (match) calls.set(match[1] as string, Number(match[2]))
  }
  return calls
}
