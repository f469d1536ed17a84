import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { type Context, connect, type RedisTarget } from '../../src/index.js'
import { masterNodes, redisTarget, type Topology } from './redis.js'
import { until } from './until.js'

/** A fresh connection name for one process or context. */
export function connectionName(): string {
  return `rp-test-${randomUUID().slice(0, 8)}`
}

/**
 * A Redis target whose connections carry `name` (CLIENT SETNAME), so
 * `blockedCount` can tell them apart from every other client.
 */
export function namedTarget(topology: Topology, name: string): RedisTarget {
  const target = redisTarget(topology)
  if (typeof target === 'string') {
    const url = new URL(target)
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      connectionName: name,
    }
  }
  if ('cluster' in target) {
    return { cluster: target.cluster, options: { redisOptions: { connectionName: name } } }
  }
  return { ...target, connectionName: name }
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

/** How many connections named `name` (any, without a name) are blocked in a command right now. */
export async function blockedCount(mp: Context, name?: string): Promise<number> {
  let count = 0
  for (const node of masterNodes(mp)) {
    const list = (await node.client('LIST')) as string
    for (const line of list.split('\n')) {
      const fields = new Map(
        line.split(' ').map((field) => field.split('=', 2) as [string, string]),
      )
      const named = name === undefined || fields.get('name') === name
      if (named && fields.get('flags')?.includes('b')) count++
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
