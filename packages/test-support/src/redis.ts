import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { type Context, connect } from '@redproc/shared'
import { redisUrl } from './services.js'

export function uniqueNamespace(): string {
  return `t-${randomUUID().slice(0, 8)}`
}

/** A context on `namespace`, whose keys are deleted and connections closed when the test ends. */
export async function openContext(t: TestContext, namespace: string): Promise<Context> {
  const mp = await connect({ redis: redisUrl(), namespace })
  t.after(async () => {
    for (const key of await mp.redis.keys(namespaceKeys(namespace))) await mp.redis.del(key)
    await mp.close()
  })
  return mp
}

/** Every key of the namespace with its content: to show that a refused request changed nothing. */
export async function snapshot(mp: Context): Promise<Map<string, string>> {
  const keys = await mp.redis.keys(namespaceKeys(mp.options.namespace))
  const entries = await Promise.all(
    keys.map(
      async (key) => [key, (await mp.redis.dumpBuffer(key))?.toString('hex') ?? ''] as const,
    ),
  )
  return new Map(entries)
}

function namespaceKeys(namespace: string): string {
  return `rp:{${namespace}:*`
}
