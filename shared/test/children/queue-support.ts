// Shared by the queue and pipe tests and their children (not a child itself).
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Cluster } from 'ioredis'
import { type Context, connect, type RedisTarget } from '../../src/index.js'
import { redisTarget, type Topology } from '../support/redis.js'

/** What every child of these tests is told, as JSON in argv[2]. */
export interface ChildConfig {
  topology: Topology
  namespace: string
  /** Names the child's Redis connections, so a test can see them block. */
  connectionName: string
}

/**
 * A Redis target whose connections carry `connectionName` (CLIENT SETNAME),
 * so `waitForBlocked` can tell them apart from every other client.
 */
export function namedTarget(topology: Topology, connectionName: string): RedisTarget {
  const target = redisTarget(topology)
  if (typeof target === 'string') {
    const url = new URL(target)
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      connectionName,
    }
  }
  if ('cluster' in target) {
    return { cluster: target.cluster, options: { redisOptions: { connectionName } } }
  }
  return { ...target, connectionName }
}

/** A fresh connection name for one process. */
export function connectionName(): string {
  return `rp-test-${randomUUID().slice(0, 8)}`
}

/** The child side: its config and a context on the test's namespace. */
export async function childContext<C extends ChildConfig>(): Promise<{ mp: Context; config: C }> {
  const config = JSON.parse(process.argv[2] ?? '{}') as C
  const mp = await connect({
    redis: namedTarget(config.topology, config.connectionName),
    namespace: config.namespace,
  })
  return { mp, config }
}

/**
 * A second context on `mp`'s namespace with named connections, for a test
 * that must see its own calls block. Closed when the test ends.
 */
export async function openNamedContext(
  t: TestContext,
  mp: Context,
  topology: Topology,
  name = connectionName(),
): Promise<{ mp: Context; connectionName: string }> {
  const named = await connect({
    redis: namedTarget(topology, name),
    namespace: mp.options.namespace,
  })
  t.after(() => named.close())
  return { mp: named, connectionName: name }
}

export interface RunningChild<R> {
  /** Settles when the child exits: its last stdout line parsed as JSON. */
  result: Promise<R>
  kill(): void
}

/** Starts `test/children/<name>.ts` with `config`, returning at once. */
export function startChild<R = unknown>(
  name: string,
  config: ChildConfig & Record<string, unknown>,
  timeoutMs = 60_000,
): RunningChild<R> {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const result = new Promise<R>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) {
        reject(new Error(`child ${name} exited with ${code ?? signal}\n${stderr}${stdout}`))
        return
      }
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last) as R)
      } catch {
        reject(new Error(`child ${name} printed no JSON result\n${stderr}${stdout}`))
      }
    })
  })
  return { result, kill: () => child.kill('SIGKILL') }
}

/** Waits until `check` holds, checking every 10 ms: a condition, never a fixed sleep. */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** How many connections named `name` are blocked in a command right now. */
export async function blockedCount(mp: Context, name: string): Promise<number> {
  const nodes = mp.redis instanceof Cluster ? mp.redis.nodes('master') : [mp.redis]
  let count = 0
  for (const node of nodes) {
    const list = (await node.client('LIST')) as string
    for (const line of list.split('\n')) {
      const fields = new Map(
        line.split(' ').map((field) => field.split('=', 2) as [string, string]),
      )
      if (fields.get('name') === name && fields.get('flags')?.includes('b')) count++
    }
  }
  return count
}

/** Waits until `count` connections named `name` are blocked (in BLMPOP or BLMOVE). */
export function waitForBlocked(mp: Context, name: string, count = 1): Promise<void> {
  return until(
    async () => (await blockedCount(mp, name)) >= count,
    `${count} connection(s) named ${name} block`,
  )
}
