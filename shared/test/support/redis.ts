import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { Cluster, type Redis } from 'ioredis'
import { type Context, connect, type RedisTarget } from '../../src/index.js'
import { namespacePattern } from '../../src/redis/keys.js'
import { checkLeaksAtEnd, watchLeaks } from './leaks.js'

export type Topology = 'single' | 'cluster'

/** Both topologies every shared-state test runs on. `npm test` provides both. */
export const TOPOLOGIES: Topology[] = ['single', 'cluster']

export function redisTarget(topology: Topology = 'single'): RedisTarget {
  if (topology === 'single') {
    const url = process.env.REDIS_URL
    if (!url)
      throw new Error('REDIS_URL is not set: run the tests with `npm test`, which chooses a Redis')
    return url
  }
  const nodes = process.env.REDIS_CLUSTER_NODES
  if (!nodes)
    throw new Error(
      'REDIS_CLUSTER_NODES is not set: run the tests with `npm test`, which starts a cluster',
    )
  return {
    cluster: nodes.split(',').map((address) => {
      const [host, port] = address.split(':')
      return { host: host ?? '127.0.0.1', port: Number(port) }
    }),
  }
}

/** The Sentinel `npm test` starts, watching the single Redis as master 'redproc'. */
export function sentinelTarget(): RedisTarget {
  const address = process.env.REDIS_SENTINEL
  if (!address)
    throw new Error('REDIS_SENTINEL is not set: run the tests with `npm test`, which starts one')
  const [host, port] = address.split(':')
  return { sentinels: [{ host: host ?? '127.0.0.1', port: Number(port) }], name: 'redproc' }
}

export function uniqueNamespace(): string {
  return `t-${randomUUID().slice(0, 8)}`
}

/**
 * A context on a namespace of its own, whose keys are deleted and whose
 * connections are closed when the test ends. The test then fails if, once
 * its cleanups ran, it left a timer or a Redis client open.
 */
export async function openContext(
  t: TestContext,
  topology: Topology = 'single',
  namespace = uniqueNamespace(),
): Promise<Context> {
  const since = watchLeaks()
  const mp = await connect({ redis: redisTarget(topology), namespace })
  t.after(async () => {
    await deleteNamespace(mp)
    await mp.close()
    checkLeaksAtEnd(t, since)
  })
  return mp
}

/** The Redis nodes holding the context's keys: the one Redis, or every cluster master. */
export function masterNodes(mp: Context): Redis[] {
  return mp.redis instanceof Cluster ? mp.redis.nodes('master') : [mp.redis]
}

async function deleteNamespace(mp: Context): Promise<void> {
  for (const node of masterNodes(mp)) {
    const stream = node.scanStream({ match: namespacePattern(mp.options.namespace), count: 500 })
    for await (const keys of stream as AsyncIterable<string[]>) {
      for (const key of keys) await node.del(key)
    }
  }
}
