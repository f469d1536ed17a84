import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  AbortError,
  Empty,
  ERROR_CODES,
  IndexError,
  isRedprocError,
  KeyError,
  RedprocError,
  Timeout,
} from '../src/index.js'

describe('errors', () => {
  it('carry the contract codes, and the codes this library adds after Python', () => {
    for (const code of [
      'EMPTY',
      'FULL',
      'SHUTDOWN',
      'TIMEOUT',
      'TOO_MANY_TASK_DONE',
      'NOT_OWNER',
      'SEMAPHORE_OVERFLOW',
      'BROKEN_BARRIER',
      'EOF',
      'AUTH',
      'INVALID_NAME',
      'NOT_SERIALIZABLE',
      'UNKNOWN_TASK',
      'REMOTE_TASK_FAILED',
      'CONNECTION',
      'INDEX_ERROR',
      'KEY_ERROR',
      'VALUE_ERROR',
      'TYPE_ERROR',
      'IN_USE',
      'ABORTED',
    ]) {
      assert.ok(ERROR_CODES.includes(code as never), code)
    }
  })

  it('are RedprocErrors with a code and the name of their class', () => {
    const error = new Empty("queue 'jobs' is empty")
    assert.ok(error instanceof RedprocError)
    assert.ok(error instanceof Error)
    assert.equal(error.code, 'EMPTY')
    assert.equal(error.name, 'Empty')
    assert.equal(new IndexError('x').code, 'INDEX_ERROR')
    assert.equal(new KeyError('x').code, 'KEY_ERROR')
    assert.equal(new Timeout('x').code, 'TIMEOUT')
    const reason = new Error('gave up')
    const aborted = new AbortError('x', { cause: reason })
    assert.equal(aborted.code, 'ABORTED')
    assert.equal(aborted.name, 'AbortError', "named as the DOM's abort error")
    assert.equal(aborted.cause, reason)
  })

  it('are recognised without instanceof, and by code', () => {
    const foreign = Object.assign(new Error('x'), { code: 'EMPTY' })
    assert.equal(isRedprocError(foreign), false)
    assert.equal(isRedprocError(new Empty('x')), true)
    assert.equal(isRedprocError(new Empty('x'), 'EMPTY'), true)
    assert.equal(isRedprocError(new Empty('x'), 'FULL'), false)
    assert.equal(isRedprocError(null), false)
  })
})
