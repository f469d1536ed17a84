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
 * type and its content in a canonical order — not of its DUMP, whose order
 * changes as Redis rehashes a large hash, on reads too), read in one step by
 * a script: equal snapshots, equal state — to show that a refused request
 * changed nothing, cheaply enough to check after each. The guard of the
 * lost-item check is left out: any consumer or joiner of a queue runs the
 * check each period, and the guard only says when it last ran.
 */
export async function snapshot(mp: Context): Promise<Map<string, string>> {
  const pairs = (await mp.redis.eval(DIGESTS, 0, namespaceKeys(mp.options.namespace))) as string[]
  const digests = new Map<string, string>()
  for (let i = 0; i < pairs.length; i += 2) {
    const key = pairs[i] as string
    if (!isHousekeeping(key)) digests.set(key, pairs[i + 1] as string)
  }
  return digests
}

function isHousekeeping(key: string): boolean {
  return key.endsWith(':stalled-check')
}

const DIGESTS = `
local function content(key, type)
  if type == 'string' then return redis.call('GET', key) end
  if type == 'list' then return cjson.encode(redis.call('LRANGE', key, 0, -1)) end
  if type == 'hash' then
    local flat, entries = redis.call('HGETALL', key), {}
    for i = 1, #flat, 2 do entries[#entries + 1] = cjson.encode({ flat[i], flat[i + 1] }) end
    table.sort(entries)
    return table.concat(entries, ',')
  end
  if type == 'set' then
    local members = redis.call('SMEMBERS', key)
    table.sort(members)
    return cjson.encode(members)
  end
  if type == 'zset' then return cjson.encode(redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')) end
  if type == 'stream' then return cjson.encode(redis.call('XRANGE', key, '-', '+')) end
  return ''
end
local digests = {}
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
  local type = redis.call('TYPE', key)['ok']
  if type ~= 'none' then
    digests[#digests + 1] = key
    digests[#digests + 1] = redis.sha1hex(type .. ' ' .. content(key, type))
  end
end
return digests`

function namespaceKeys(namespace: string): string {
  return `rp:{${namespace}:*`
}
