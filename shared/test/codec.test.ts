import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decode, encode, isRedprocError } from '../src/index.js'

const refusedWith = (code: string, pattern: RegExp) => (error: unknown) =>
  isRedprocError(error, code as 'NOT_SERIALIZABLE') && pattern.test((error as Error).message)

describe('codec', () => {
  it('round-trips every kind of plain JSON exactly', () => {
    const values = [
      null,
      true,
      false,
      0,
      -1.5,
      0.1 + 0.2,
      Number.MAX_SAFE_INTEGER,
      1e300,
      '',
      'héllo \u{1F600} \ud800',
      [],
      [1, 'two', [3], { four: 4 }],
      {},
      { a: { b: { c: [null] } }, 'with space': 1, __proto__key: 2 },
      JSON.parse('{"__proto__": {"polluted": true}}'),
    ]
    for (const value of values) assert.deepEqual(decode(encode(value), 'test'), value)
  })

  const refusals: Array<[string, unknown, RegExp]> = [
    ['undefined', undefined, /undefined has no JSON form/],
    ['a function', () => 1, /function cannot cross processes/],
    ['a symbol', Symbol('s'), /symbol has no JSON form/],
    ['NaN', Number.NaN, /NaN is not a finite number/],
    ['Infinity', Number.POSITIVE_INFINITY, /Infinity is not a finite number/],
    ['a BigInt', 10n, /BigInt has no JSON form/],
    ['a Date', new Date(0), /a Date would come back as a string; send date\.toISOString\(\)/],
    ['a class instance', new (class Point {})(), /instance of Point/],
    ['a Map', new Map(), /instance of Map/],
    ['a sparse array', new Array(3), /\[0\] is not serializable: a sparse array hole/],
    ['a nested undefined', { a: [1, { b: undefined }] }, /value\.a\[1\]\.b is not serializable/],
    ['symbol keys', { [Symbol('k')]: 1 }, /symbol keys/],
  ]
  for (const [what, value, message] of refusals) {
    it(`refuses ${what} with NOT_SERIALIZABLE`, () => {
      assert.throws(() => encode(value), refusedWith('NOT_SERIALIZABLE', message))
    })
  }

  it('stores -0 as 0, as JSON does, since -x of an integer 0 is everyday code', () => {
    assert.equal(encode(-0), '0')
  })

  it('refuses cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    assert.throws(() => encode(cyclic), refusedWith('NOT_SERIALIZABLE', /value\.self .*cycle/))
  })

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 }
    assert.equal(encode([shared, shared]), '[{"x":1},{"x":1}]')
  })

  it('refuses nesting deeper than it can check, instead of overflowing the stack', () => {
    let deep: unknown = null
    for (let i = 0; i < 5000; i++) deep = [deep]
    assert.throws(() => encode(deep), refusedWith('NOT_SERIALIZABLE', /nested deeper than 1000/))
  })

  it('names an item of a batch by its index, in a nested refusal too', () => {
    assert.equal(encode({ a: 1 }, 'items', 3), '{"a":1}')
    assert.throws(
      () => encode({ a: [Number.NaN] }, 'items', 3),
      refusedWith('NOT_SERIALIZABLE', /^items\[3\]\.a\[0\] is not serializable: NaN/),
    )
  })

  it('accepts nesting just inside the limit', () => {
    let deep: unknown = 1
    for (let i = 0; i < 999; i++) deep = i % 2 ? [deep] : { d: deep }
    assert.deepEqual(decode(encode(deep), 'test'), deep)
  })

  it('ignores an enumerable property someone added to Object.prototype, as JSON does', () => {
    Object.defineProperty(Object.prototype, 'addedByAPlugin', {
      value: () => 1,
      enumerable: true,
      configurable: true,
    })
    try {
      assert.equal(encode({ a: { b: 1 } }), '{"a":{"b":1}}')
    } finally {
      delete (Object.prototype as Record<string, unknown>).addedByAPlugin
    }
  })

  it('reports stored text that is not JSON', () => {
    assert.throws(
      () => decode('{oops', "dict 'd'"),
      refusedWith('NOT_SERIALIZABLE', /dict 'd' holds text that is not JSON/),
    )
  })
})
