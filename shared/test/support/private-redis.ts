import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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
  /** Kills the server (SIGKILL: no goodbye to its clients, as when its machine dies) and waits until it is gone. */
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
 * default), with `args` added (`--replicaof host port`), and waits until it
 * answers; it is stopped when the test ends.
 */
export async function startPrivateRedis(
  t: TestContext,
  port?: number,
  args: string[] = [],
): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort())
  const contexts: Context[] = []
  const { admin, kill } = await spawnServer(t, {
    port: chosen,
    args: [
      '--port',
      String(chosen),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...args,
    ],
    what: `redis-server to answer on port ${chosen}`,
    beforeStop: () => Promise.all(contexts.map((mp) => mp.close())),
  })
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
    kill,
  }
}

export interface ServerOptions {
  port: number
  args: string[]
  /** Written to `redis.conf` in the server's folder and given first: a Sentinel needs one it can rewrite. */
  config?: string
  /** What the test waits for, in the message if it never comes. */
  what: string
  /** Runs when the test ends, before the server stops. */
  beforeStop?: () => Promise<unknown>
}

/**
 * A redis-server (or Sentinel) process of the test's own, in a folder of its
 * own, stopped when the test ends; resolves with an admin client once it answers.
 */
export async function spawnServer(
  t: TestContext,
  options: ServerOptions,
): Promise<{ admin: Redis; kill(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'redproc-test-redis-'))
  const args = [...options.args]
  if (options.config !== undefined) {
    writeFileSync(join(dir, 'redis.conf'), options.config)
    args.unshift(join(dir, 'redis.conf'))
  }
  const server = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' })
  const exited = once(server, 'exit')
  const admin = new Redis(options.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 })
  t.after(async () => {
    await options.beforeStop?.()
    admin.disconnect()
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  })
  // Refused until the server listens: ioredis retries by itself.
  admin.on('error', () => {})
  admin.connect().catch(() => {})
  await until(() => admin.status === 'ready', options.what)
  return {
    admin,
    async kill() {
      admin.disconnect()
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
