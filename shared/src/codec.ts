import { NotSerializable } from './errors.js'

/** What crosses processes: exactly what JSON round-trips without change. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** `mp.value('n', 0)` is a `Value<number>`, not a `Value<0>`. */
export type Widen<T> = T extends number
  ? number
  : T extends string
    ? string
    : T extends boolean
      ? boolean
      : T

const MAX_DEPTH = 1000

/**
 * Serializes `value`, or throws `NOT_SERIALIZABLE` before anything is written
 * when it would not come back identical from `decode` (-0 aside: stored as 0,
 * as JSON does, since `-x` of an integer 0 is everyday code). The refusal
 * names the value `what`, or `what[index]` for an item of a batch: the name
 * is only built for a refusal.
 */
export function encode(value: unknown, what = 'value', index?: number): string {
  checkSerializable(value, what, index)
  return JSON.stringify(value)
}

/**
 * Throws what `encode` throws for `value`, without serializing it. The first
 * walk allocates nothing (a cycle shows as nesting past the depth limit);
 * only a value it doubts is walked again, to tell where and why it is refused.
 */
export function checkSerializable(value: unknown, what = 'value', index?: number): void {
  if (!plain(value, 0)) check(value, index === undefined ? what : `${what}[${index}]`, new Set(), 0)
}

export function decode(text: string, where: string): Json {
  try {
    return JSON.parse(text) as Json
  } catch (cause) {
    throw new NotSerializable(
      `${where} holds text that is not JSON; was it written outside redproc?`,
      {
        cause,
      },
    )
  }
}

/** Decodes a Redis reply that may be missing (`null`). */
export function decodeOptional(text: string | null, where: string): Json | undefined {
  return text === null ? undefined : decode(text, where)
}

/** Decodes the fields of a Redis hash; `__proto__` stays an ordinary key. */
export function decodeHash(hash: Record<string, string>, where: string): Record<string, Json> {
  return Object.fromEntries(Object.entries(hash).map(([key, text]) => [key, decode(text, where)]))
}

/**
 * Whether `value` is plain JSON nested less than MAX_DEPTH levels deep. Never
 * true for a value `check` refuses; false for some it accepts (an enumerable
 * property added to Object.prototype), which `check` then clears.
 */
function plain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object':
      break
    default:
      return false
  }
  if (value === null) return true
  if (depth >= MAX_DEPTH) return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // A hole reads as undefined, which is refused as well.
      const item = value[i]
      if (!plainLeaf(item) && !plain(item, depth + 1)) return false
    }
    return true
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  const object = value as Record<string, unknown>
  for (const key in object) {
    const item = object[key]
    if (!plainLeaf(item) && !plain(item, depth + 1)) return false
  }
  return Object.getOwnPropertySymbols(object).length === 0
}

/** A string, boolean or finite number: tried before a call to `plain`, which most items are. */
function plainLeaf(value: unknown): boolean {
  const type = typeof value
  return type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value))
}

/** Throws NOT_SERIALIZABLE with where and why, when `value` is refused. */
function check(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw refusal(path, `${value} is not a finite number`)
      return
    case 'undefined':
      throw refusal(path, 'undefined has no JSON form; use null')
    case 'bigint':
      throw refusal(path, 'a BigInt has no JSON form; send it as a string')
    case 'function':
      throw refusal(
        path,
        'a function cannot cross processes; register it as a task and send its name',
      )
    case 'symbol':
      throw refusal(path, 'a symbol has no JSON form')
  }
  if (value === null) return
  const object = value as object
  if (depth >= MAX_DEPTH) throw refusal(path, `it is nested deeper than ${MAX_DEPTH} levels`)
  if (ancestors.has(object)) throw refusal(path, 'it contains a cycle')
  ancestors.add(object)
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) {
      if (!(i in object))
        throw refusal(`${path}[${i}]`, 'a sparse array hole would come back as null')
      check(object[i], `${path}[${i}]`, ancestors, depth + 1)
    }
  } else {
    const proto = Object.getPrototypeOf(object)
    if (proto !== Object.prototype && proto !== null) {
      if (object instanceof Date) {
        throw refusal(
          path,
          'a Date would come back as a string; send date.toISOString() and parse it on the other side',
        )
      }
      const kind = `an instance of ${proto?.constructor?.name ?? 'a class'}`
      throw refusal(path, `${kind} would come back as a plain object`)
    }
    if (Object.getOwnPropertySymbols(object).length > 0)
      throw refusal(path, 'symbol keys have no JSON form')
    for (const [key, item] of Object.entries(object))
      check(item, `${path}.${key}`, ancestors, depth + 1)
  }
  ancestors.delete(object)
}

function refusal(path: string, reason: string): NotSerializable {
  return new NotSerializable(`${path} is not serializable: ${reason}`)
}
