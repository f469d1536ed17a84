import assert from 'node:assert/strict'
import type { Redis } from 'ioredis'
import type { Context, ErrorCode } from '../../src/index.js'
import { isRedprocError } from '../../src/index.js'
import { namespacePattern } from '../../src/redis/keys.js'
import { masterNodes } from './redis.js'

/**
 * Every key of the context's namespace with its content, read by type and in
 * a canonical order: not DUMP's bytes, since a large hash's internal order
 * changes as Redis rehashes it, on reads too. The guard of the lost-item
 * check is left out: any consumer or joiner of a queue runs the check each
 * period, and the guard only says when it last ran.
 */
export async function snapshotNamespace(mp: Context): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>()
  for (const node of masterNodes(mp)) {
    const keys = await node.keys(namespacePattern(mp.options.namespace))
    for (const key of keys) {
      if (!key.endsWith(':stalled-check')) snapshot.set(key, await contentOf(node, key))
    }
  }
  return snapshot
}

async function contentOf(node: Redis, key: string): Promise<string> {
  const type = await node.type(key)
  const content =
    type === 'string'
      ? await node.get(key)
      : type === 'list'
        ? await node.lrange(key, 0, -1)
        : type === 'hash'
          ? Object.entries(await node.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          : type === 'set'
            ? (await node.smembers(key)).sort()
            : type === 'zset'
              ? await node.zrange(key, 0, -1, 'WITHSCORES')
              : type === 'stream'
                ? await node.xrange(key, '-', '+')
                : null
  return `${type} ${JSON.stringify(content)}`
}

/** Every key of the context's namespace, on every node, sorted. */
export async function namespaceKeys(mp: Context): Promise<string[]> {
  const keys: string[] = []
  for (const node of masterNodes(mp)) {
    keys.push(...(await node.keys(namespacePattern(mp.options.namespace))))
  }
  return keys.sort()
}

/** Asserts that `action` fails with `code` and writes nothing to the namespace. */
export async function assertRefusedWithoutWrite(
  mp: Context,
  code: ErrorCode,
  action: () => Promise<unknown>,
): Promise<void> {
  const before = await snapshotNamespace(mp)
  await assert.rejects(action, (error) => {
    assert.ok(isRedprocError(error, code), `expected ${code}, got ${String(error)}`)
    return true
  })
  assert.deepEqual(await snapshotNamespace(mp), before, 'the refused call changed Redis')
}
