import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRedprocError, ObjectKeys, validateName } from '../src/index.js'

describe('key scheme', () => {
  it('puts every key of one object under one hash tag', () => {
    const keys = new ObjectKeys('app', 'dict', 'users')
    assert.equal(keys.base, 'rp:{app:dict:users}')
    assert.equal(keys.part('meta'), 'rp:{app:dict:users}:meta')
  })

  it('keeps objects of different kinds apart', () => {
    assert.notEqual(
      new ObjectKeys('app', 'dict', 'x').base,
      new ObjectKeys('app', 'list', 'x').base,
    )
  })

  it('accepts names of letters, digits and . _ : - up to 200 characters', () => {
    for (const name of ['a', 'A9', 'jobs.v2', 'tenant:42:jobs', 'a_b-c', 'x'.repeat(200)]) {
      assert.equal(validateName(name), name)
    }
  })

  for (const name of [
    '',
    '-lead',
    '.lead',
    'has space',
    'brace{',
    'brace}',
    'slash/',
    'x'.repeat(201),
    'ünï',
    42,
    null,
    undefined,
    {},
  ]) {
    it(`refuses the name ${JSON.stringify(name) ?? String(name)} with INVALID_NAME`, () => {
      assert.throws(
        () => new ObjectKeys('app', 'dict', name as string),
        (error) => isRedprocError(error, 'INVALID_NAME'),
      )
    })
  }
})
