import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { snapshot } from '@redproc/test-support'
import { type RequestOptions, startApi } from './support/api.js'

interface Case {
  what: string
  method: string
  path: string
  options?: RequestOptions
  status: number
  code: string
}

const json = (body: unknown): RequestOptions => ({ body })
const big = 'x'.repeat(2 * 1024 * 1024)

/** Each is refused with its status and code, and leaves Redis as it was. */
const CASES: Case[] = [
  // The key
  {
    what: 'no key',
    method: 'GET',
    path: '/v1/dicts/d',
    options: { auth: false },
    status: 401,
    code: 'AUTH',
  },
  {
    what: 'a wrong key',
    method: 'PUT',
    path: '/v1/dicts/d/a',
    options: { body: { value: 2 }, headers: { authorization: 'Bearer nope' } },
    status: 401,
    code: 'AUTH',
  },
  {
    what: 'a malformed Authorization header',
    method: 'DELETE',
    path: '/v1/lists/l',
    options: { headers: { authorization: 'Basic abc' } },
    status: 401,
    code: 'AUTH',
  },
  // The body
  {
    what: 'malformed JSON',
    method: 'PATCH',
    path: '/v1/dicts/d',
    options: { rawBody: '{"a": 1,' },
    status: 400,
    code: 'VALUE_ERROR',
  },
  {
    what: 'an oversized body',
    method: 'POST',
    path: '/v1/lists/l',
    options: json({ append: big }),
    status: 413,
    code: 'VALUE_ERROR',
  },
  {
    what: 'a body without value',
    method: 'PUT',
    path: '/v1/dicts/d/a',
    options: json({}),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'an unknown body field',
    method: 'PUT',
    path: '/v1/values/v',
    options: json({ value: 1, extra: true }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'PATCH with an array',
    method: 'PATCH',
    path: '/v1/dicts/d',
    options: json([1]),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'both append and extend',
    method: 'POST',
    path: '/v1/lists/l',
    options: json({ append: 1, extend: [2] }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'extend with no array',
    method: 'POST',
    path: '/v1/lists/l',
    options: json({ extend: 3 }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'add of a string',
    method: 'POST',
    path: '/v1/values/v',
    options: json({ add: '1' }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'add to a value that is not a number',
    method: 'POST',
    path: '/v1/values/text',
    options: json({ add: 1 }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'a value nested past the depth limit',
    method: 'PUT',
    path: '/v1/dicts/d/deep',
    options: { rawBody: `{"value":${'['.repeat(1200)}${']'.repeat(1200)}}` },
    status: 400,
    code: 'NOT_SERIALIZABLE',
  },
  {
    what: 'a body nested deeper than the stack (once a 500)',
    method: 'PUT',
    path: '/v1/values/v',
    options: { rawBody: `{"value":${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
    status: 400,
    code: 'NOT_SERIALIZABLE',
  },
  {
    what: 'a gzip body that does not inflate (once a 500)',
    method: 'PUT',
    path: '/v1/values/v',
    options: { rawBody: '{"value":1}', headers: { 'content-encoding': 'gzip' } },
    status: 400,
    code: 'VALUE_ERROR',
  },
  // Names, keys, indices
  {
    what: 'a bad dict name',
    method: 'PUT',
    path: '/v1/dicts/-bad/a',
    options: json({ value: 1 }),
    status: 400,
    code: 'INVALID_NAME',
  },
  {
    what: 'a name with a brace',
    method: 'GET',
    path: '/v1/lists/a%7Bb',
    status: 400,
    code: 'INVALID_NAME',
  },
  {
    what: 'a 201-character name',
    method: 'GET',
    path: `/v1/values/${'n'.repeat(201)}`,
    status: 400,
    code: 'INVALID_NAME',
  },
  {
    what: 'a name that is not UTF-8 (once a 500)',
    method: 'GET',
    path: '/v1/dicts/%FF',
    status: 400,
    code: 'VALUE_ERROR',
  },
  {
    what: 'an index that is not an integer',
    method: 'GET',
    path: '/v1/lists/l/1.5',
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'an index out of range',
    method: 'GET',
    path: '/v1/lists/l/99',
    status: 404,
    code: 'INDEX_ERROR',
  },
  {
    what: 'a PUT out of range',
    method: 'PUT',
    path: '/v1/lists/l/-99',
    options: json({ value: 0 }),
    status: 404,
    code: 'INDEX_ERROR',
  },
  {
    what: 'pop from an empty list',
    method: 'POST',
    path: '/v1/lists/empty/pop',
    status: 404,
    code: 'INDEX_ERROR',
  },
  {
    what: 'pop with a string index',
    method: 'POST',
    path: '/v1/lists/l/pop',
    options: json({ index: '0' }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'remove of an absent item',
    method: 'POST',
    path: '/v1/lists/l/remove',
    options: json({ value: 'zz' }),
    status: 422,
    code: 'VALUE_ERROR',
  },
  {
    what: 'an unknown attribute',
    method: 'GET',
    path: '/v1/namespaces/ns/nope',
    status: 404,
    code: 'KEY_ERROR',
  },
  {
    what: 'a value never set',
    method: 'GET',
    path: '/v1/values/never',
    status: 404,
    code: 'KEY_ERROR',
  },
  {
    what: 'a bad page count',
    method: 'GET',
    path: '/v1/dicts/d?count=-1',
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'a bad cursor',
    method: 'GET',
    path: '/v1/dicts/d?cursor=abc',
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'an unknown query parameter',
    method: 'GET',
    path: '/v1/lists/l?begin=1',
    status: 400,
    code: 'TYPE_ERROR',
  },
  // Preconditions
  {
    what: 'a malformed If-Match',
    method: 'PUT',
    path: '/v1/values/v',
    options: { body: { value: 5 }, headers: { 'if-match': 'abc' } },
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'a stale If-Match',
    method: 'PUT',
    path: '/v1/values/v',
    options: { body: { value: 5 }, headers: { 'if-match': `"${'0'.repeat(40)}"` } },
    status: 412,
    code: 'PRECONDITION_FAILED',
  },
  // Routes
  { what: 'an unknown route', method: 'GET', path: '/v1/tables/t', status: 404, code: 'KEY_ERROR' },
  {
    what: 'a trailing slash',
    method: 'DELETE',
    path: '/v1/dicts/d/',
    status: 404,
    code: 'KEY_ERROR',
  },
  // The manager protocol: a refused request runs none of its calls
  {
    what: 'calls that are not an array',
    method: 'POST',
    path: '/v1/call',
    options: json({ calls: { kind: 'dict', name: 'd', method: 'clear' } }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'no calls',
    method: 'POST',
    path: '/v1/call',
    options: json({ calls: [] }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'more than 1000 calls',
    method: 'POST',
    path: '/v1/call',
    options: json({
      calls: Array.from({ length: 1001 }, () => ({ kind: 'dict', name: 'd', method: 'clear' })),
    }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'a call to an unknown kind, beside a good one',
    method: 'POST',
    path: '/v1/call',
    options: json({
      calls: [
        { kind: 'dict', name: 'd', method: 'clear' },
        { kind: 'lock', name: 'x', method: 'release' },
      ],
    }),
    status: 400,
    code: 'TYPE_ERROR',
  },
  {
    what: 'a call with an unknown field',
    method: 'POST',
    path: '/v1/call',
    options: json({ calls: [{ kind: 'list', name: 'l', method: 'clear', extra: 'x' }] }),
    status: 400,
    code: 'TYPE_ERROR',
  },
]

describe('bad input: a 4xx with a stable code, and nothing changes', () => {
  it('a call the object refuses fails alone, and changes nothing', async (t) => {
    const api = await startApi(t)
    await api.mp.dict('d').set('a', 1)
    await api.mp.list('l').extend([1, 2, 3])
    const before = await snapshot(api.mp)
    const reply = await api.request('POST', '/v1/call', {
      body: {
        calls: [
          { kind: 'dict', name: 'd', method: 'get', args: ['a'] },
          { kind: 'dict', name: 'd', method: 'constructor' },
          { kind: 'dict', name: 'd', method: 'set', args: [7, 1] },
          { kind: 'list', name: 'l', method: 'get', args: [99] },
          { kind: 'list', name: 'l', method: 'set', args: [0] },
          { kind: 'list', name: 'bad name!', method: 'length' },
          { kind: 'value', name: 'v', method: 'add', args: ['x'] },
          {
            kind: 'dict',
            name: 'd',
            method: 'update',
            args: [{ b: undefined, c: 'x'.repeat(10) }],
          },
          { kind: 'namespace', name: 'ns', method: 'get', args: ['missing'] },
        ],
      },
    })
    assert.equal(reply.status, 200)
    const codes = reply.body.results.map(
      (r: { value?: unknown; error?: { code: string } }) => r.error?.code ?? r.value,
    )
    assert.deepEqual(codes, [
      1,
      'VALUE_ERROR',
      'TYPE_ERROR',
      'INDEX_ERROR',
      'NOT_SERIALIZABLE',
      'INVALID_NAME',
      'TYPE_ERROR',
      undefined,
      'KEY_ERROR',
    ])
    assert.deepEqual(await api.mp.dict('d').get('c'), 'xxxxxxxxxx', 'the good update was written')
    await api.mp.dict('d').delete('c')
    assert.deepEqual(await snapshot(api.mp), before)
  })

  for (const c of CASES) {
    it(`${c.what}: ${c.method} ${c.path.slice(0, 60)} → ${c.status} ${c.code}`, async (t) => {
      const api = await startApi(t)
      await api.mp.dict('d').set('a', 1)
      await api.mp.list('l').extend([1, 2, 3])
      await api.mp.namespace('ns').set('x', 1)
      await api.mp.value('v', 1).set(1)
      await api.mp.value('text').set('hello')
      const before = await snapshot(api.mp)
      const reply = await api.request(c.method, c.path, c.options)
      assert.equal(reply.status, c.status, JSON.stringify(reply.body))
      assert.equal(reply.body?.error?.code, c.code)
      assert.equal(typeof reply.body.error.message, 'string')
      assert.deepEqual(await snapshot(api.mp), before)
    })
  }
})
