import type { Context } from '@redproc/shared'

/** Every key of the context's namespace with its serialized content: equal snapshots, equal state. */
export async function snapshot(mp: Context): Promise<Record<string, string>> {
  const keys = (await mp.redis.keys(`rp:{${mp.options.namespace}:*`)).sort()
  const dumps = await Promise.all(keys.map((key) => mp.redis.dumpBuffer(key)))
  return Object.fromEntries(keys.map((key, i) => [key, dumps[i]?.toString('base64') ?? '']))
}
