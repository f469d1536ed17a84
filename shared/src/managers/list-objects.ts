import { namespacePattern, parseKey } from '../redis/keys.js'
import { scanKeys } from '../redis/scan.js'
import type { Scope } from '../redis/scope.js'

/** The kinds of shared state a manager serves. */
export const SHARED_STATE_KINDS = ['dict', 'list', 'namespace', 'value', 'array'] as const

export type SharedStateKind = (typeof SHARED_STATE_KINDS)[number]

/**
 * The shared dicts, lists, namespaces, values and arrays of the context's
 * namespace that hold something, by kind and name: what a dashboard offers
 * to browse. Walks the namespace's keys with SCAN: for monitoring, not for a
 * hot path.
 */
export async function listSharedObjects(
  mp: Scope,
): Promise<Array<{ kind: SharedStateKind; name: string }>> {
  const found = new Map<string, { kind: SharedStateKind; name: string }>()
  const kinds = new Set<string>(SHARED_STATE_KINDS)
  for await (const key of scanKeys(mp.redis, namespacePattern(mp.options.namespace))) {
    const parts = parseKey(mp.options.namespace, key)
    // Only an object's main key: a value's lock alone is not a value.
    if (parts && parts.suffix === '' && kinds.has(parts.kind)) {
      found.set(`${parts.kind}:${parts.name}`, {
        kind: parts.kind as SharedStateKind,
        name: parts.name,
      })
    }
  }
  return [...found.values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  )
}
