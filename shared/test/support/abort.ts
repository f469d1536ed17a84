import assert from 'node:assert/strict'
import { type Context, isRedprocError } from '../../src/index.js'
import { assertRefusedWithoutWrite, snapshotNamespace } from './snapshot.js'
import { until } from './until.js'

/** How soon a wait must fail once its signal aborts. */
export const ABORT_WITHIN_MS = 100

/** For `assert.rejects`: ABORTED, named AbortError, with `reason` as its cause. */
export function isAbortedBy(reason: unknown): (error: unknown) => true {
  return (error) => {
    assert.ok(isRedprocError(error, 'ABORTED'), `expected ABORTED, got ${String(error)}`)
    assert.equal(error.name, 'AbortError')
    assert.equal(error.cause, reason)
    return true
  }
}

/** A signal aborted already, and its reason. */
export function abortedSignal(): { signal: AbortSignal; reason: Error } {
  const reason = new Error('given up before the call')
  return { signal: AbortSignal.abort(reason), reason }
}

/** `call` given an aborted signal fails with ABORTED at once, and changes nothing in Redis. */
export async function assertAbortedAtOnce(
  mp: Context,
  call: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const { signal, reason } = abortedSignal()
  const started = performance.now()
  await assertRefusedWithoutWrite(mp, 'ABORTED', () => call(signal))
  await assert.rejects(call(signal), isAbortedBy(reason))
  const ms = performance.now() - started
  assert.ok(ms < 1000, `two refusals took ${ms} ms`)
}

/**
 * Starts `call`, waits until `waiting` holds (it blocks), aborts its signal,
 * and asserts it fails with ABORTED within ABORT_WITHIN_MS. Returns how long
 * the abort took, in ms.
 */
export async function assertAbortedMidWait(
  name: string,
  call: (signal: AbortSignal) => Promise<unknown>,
  waiting: () => Promise<boolean>,
): Promise<number> {
  const controller = new AbortController()
  const reason = new Error('given up mid-wait')
  let settled = false
  const pending = call(controller.signal).finally(() => {
    settled = true
  })
  pending.catch(() => {}) // asserted below
  await until(async () => settled || (await waiting()), `${name} waits`)
  assert.equal(settled, false, `${name} returned before it was aborted`)
  const aborted = performance.now()
  controller.abort(reason)
  await assert.rejects(pending, isAbortedBy(reason))
  const ms = performance.now() - aborted
  assert.ok(ms < ABORT_WITHIN_MS, `${name} took ${ms.toFixed(1)} ms to fail once aborted`)
  return ms
}

/** Waits until the namespace is as `before` was: the aborted wait left nothing behind. */
export async function assertLeftAsBefore(mp: Context, before: Map<string, string>): Promise<void> {
  let now = before
  await until(
    async () => {
      now = await snapshotNamespace(mp)
      return sameSnapshot(now, before)
    },
    'the aborted wait left nothing behind',
    3000,
  ).catch(() => {
    assert.deepEqual(now, before, 'the aborted wait left Redis changed')
  })
}

function sameSnapshot(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [key, value] of a) if (b.get(key) !== value) return false
  return true
}
