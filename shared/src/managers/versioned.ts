import { createHash } from 'node:crypto'
import { RedprocTypeError } from '../errors.js'
import type { RedisClient } from '../redis/client.js'
import { Script } from '../redis/script.js'

const compareAndSetScript = new Script<[0 | 1, string]>('compare-and-set')

/** A stored value with its version: the SHA-1 of its stored JSON text, an HTTP ETag. */
export interface Versioned<T> {
  value: T
  etag: string
}

/**
 * What a compare-and-set expects to find: the version (ETag) read before,
 * `'*'` for any value, or `null` for none (create only).
 */
export type Expected = string | null

/** `ok` when written; otherwise `etag` is the version found, `null` when there was none. */
export interface CompareAndSetResult {
  ok: boolean
  etag: string | null
}

const ETAG = /^[0-9a-f]{40}$/

/** The version of a stored JSON text: what the script computes with `redis.sha1hex`. */
export function etagOf(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

/** Checks `expected` at the caller, so a typo is refused rather than failing every write. */
export function checkExpected(expected: unknown): Expected {
  if (expected === null || expected === '*') return expected
  if (typeof expected === 'string' && ETAG.test(expected)) return expected
  throw new RedprocTypeError(
    'expected must be an etag read before (40 hex digits), "*" for any value, or null for none',
  )
}

/**
 * Writes `json` (or deletes, when undefined) at a hash field or a string key,
 * only if its version is `expected`.
 */
export async function compareAndSet(
  redis: RedisClient,
  key: string,
  field: string | undefined,
  expected: Expected,
  json: string | undefined,
): Promise<CompareAndSetResult> {
  const [ok, etag] = await compareAndSetScript.run(
    redis,
    [key],
    [field ?? '', field === undefined ? 0 : 1, expected ?? '-', json ?? ''],
  )
  return { ok: ok === 1, etag: etag || null }
}
