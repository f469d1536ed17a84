import assert from 'node:assert/strict'
import type { Context, ErrorCode } from '../../src/index.js'
import { isRedprocError } from '../../src/index.js'
import { namespacePattern } from '../../src/redis/keys.js'
import { masterNodes } from './redis.js'

/** Every key of the context's namespace with its serialized content. */
export async function snapshotNamespace(mp: Context): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>()
  for (const node of masterNodes(mp)) {
    const keys = await node.keys(namespacePattern(mp.options.namespace))
    for (const key of keys) snapshot.set(key, (await node.dumpBuffer(key))?.toString('hex') ?? '')
  }
  return snapshot
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
