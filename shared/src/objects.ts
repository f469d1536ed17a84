import { type Check, option } from './options.js'
import { kindPattern, namespacePattern, parseKey } from './redis/keys.js'
import { scanKeys } from './redis/scan.js'
import type { Scope } from './redis/scope.js'

/** The kinds of object a namespace holds, as keys, `mp.drop` and `redproc` name them. */
export const OBJECT_KINDS = [
  'queue',
  'joinable-queue',
  'pipe',
  'lock',
  'rlock',
  'semaphore',
  'bounded-semaphore',
  'condition',
  'event',
  'barrier',
  'value',
  'array',
  'namespace',
  'dict',
  'list',
] as const

export type ObjectKind = (typeof OBJECT_KINDS)[number]

/** An object kind: TYPE_ERROR for a non-string, VALUE_ERROR for a string that names none. */
export const checkKind: Check<ObjectKind> = option.oneOf(...OBJECT_KINDS)

/** One object of a namespace with keys in Redis. */
export interface ObjectSummary {
  kind: ObjectKind
  name: string
  /** How many Redis keys it has: a joinable queue has one per job it keeps. */
  keys: number
}

/**
 * The objects of the context's namespace that have keys in Redis, sorted by
 * kind and name; of one kind only, when `kind` is given. An object that holds
 * nothing (an empty queue, an event never set) has no keys and is not listed.
 * A value's, array's or condition's lock counts as its owner's key. Walks
 * the keys with SCAN: for tools, not for a hot path.
 */
export async function listObjects(mp: Scope, kind?: ObjectKind): Promise<ObjectSummary[]> {
  const { namespace } = mp.options
  const only = kind === undefined ? undefined : checkKind(kind, 'kind')
  const kinds = new Set<string>(OBJECT_KINDS)
  const pattern = only === undefined ? namespacePattern(namespace) : kindPattern(namespace, only)
  const found = new Map<string, ObjectSummary>()
  for await (const key of scanKeys(mp.redis, pattern)) {
    const parts = parseKey(namespace, key)
    if (!parts || !kinds.has(parts.kind)) continue
    const id = `${parts.kind}\u0000${parts.name}`
    const summary = found.get(id)
    if (summary) summary.keys++
    else found.set(id, { kind: parts.kind as ObjectKind, name: parts.name, keys: 1 })
  }
  return [...found.values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  )
}
