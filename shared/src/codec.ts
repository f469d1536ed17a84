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
 * as JSON does, since `-x` of an integer 0 is everyday code).
 */
export function encode(value: unknown, what = 'value'): string {
  check(value, what, new Set(), 0)
  return JSON.stringify(value)
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
