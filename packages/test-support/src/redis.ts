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

/**
 * Every key of the namespace with a digest of its content (the SHA-1 of its
 * DUMP), read in one step by a script: equal snapshots, equal state — to show
 * that a refused request changed nothing, cheaply enough to check after each.
 */
export async function snapshot(mp: Context): Promise<Map<string, string>> {
  const pairs = (await mp.redis.eval(DIGESTS, 0, namespaceKeys(mp.options.namespace))) as string[]
  const digests = new Map<string, string>()
  for (let i = 0; i < pairs.length; i += 2) digests.set(pairs[i] as string, pairs[i + 1] as string)
  return digests
}

const DIGESTS = `
local digests = {}
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
  local dump = redis.call('DUMP', key)
  if dump then
    digests[#digests + 1] = key
    digests[#digests + 1] = redis.sha1hex(dump)
  end
end
return digests`

function namespaceKeys(namespace: string): string {
  return `rp:{${namespace}:*`
}
