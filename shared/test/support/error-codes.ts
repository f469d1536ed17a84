import assert from 'node:assert/strict'
import { type ErrorCode, isRedprocError } from '../../src/index.js'

/** For `assert.rejects` and `assert.throws`: the error is a RedprocError with code `expected`. */
export function hasCode(expected: ErrorCode): (error: unknown) => true {
  return (error) => {
    assert.ok(isRedprocError(error), `expected ${expected}, got ${String(error)}`)
    assert.equal(error.code, expected, error.message)
    return true
  }
}

/** Runs `action`, returning how long it took to fail with `expected`, in ms. */
export async function msUntilRefused(
  expected: ErrorCode,
  action: () => Promise<unknown>,
): Promise<number> {
  const started = performance.now()
  await assert.rejects(action, hasCode(expected))
  return performance.now() - started
}
