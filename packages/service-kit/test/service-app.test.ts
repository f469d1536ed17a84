import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it, type TestContext } from 'node:test'
import { pino } from 'pino'
import { createServiceApp, HttpError, listen, ValueError } from './support.js'

/** What the service answers: an error body, or the echo of a request. */
interface Body {
  error: { code: string; message: string; unfinished?: number }
  [echoed: string]: unknown
}

const AUTHKEY = 'a-test-key-of-enough-length'

/** A service app on port 0 whose log lines are kept, closed with the test. */
async function start(t: TestContext, ready = true) {
  const lines: string[] = []
  const logger = pino(
    { level: 'info', redact: ['req.headers.authorization'] },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    }),
  )
  const app = createServiceApp({
    logger,
    authkey: AUTHKEY,
    bodyLimitBytes: 1024,
    ready: async () => ready,
    routes: (v1) => {
      v1.post('/echo', (req, res) => {
        res.json(req.body)
      })
      v1.get('/refused', () => {
        throw new ValueError('not like that')
      })
      v1.get('/conflict', () => {
        throw new HttpError(409, 'SHUTDOWN', 'gone', { unfinished: 3 })
      })
      v1.get('/broken', () => {
        throw new Error('a bug')
      })
    },
  })
  const listening = await listen(app, 0, '127.0.0.1')
  t.after(() => listening.close(0))
  const call = async (path: string, init: RequestInit = {}, key: string | null = AUTHKEY) => {
    const headers = new Headers(init.headers)
    if (key !== null) headers.set('authorization', `Bearer ${key}`)
    const res = await fetch(`${listening.url}${path}`, { ...init, headers })
    return { status: res.status, headers: res.headers, body: (await res.json()) as Body }
  }
  return { call, lines }
}

describe('service app', () => {
  it('answers /healthz and /readyz without a key; /readyz is 503 when Redis is away', async (t) => {
    const up = await start(t)
    assert.equal((await up.call('/healthz', {}, null)).status, 200)
    assert.equal((await up.call('/readyz', {}, null)).status, 200)
    const down = await start(t, false)
    assert.equal((await down.call('/readyz', {}, null)).status, 503)
  })

  it('refuses a missing, wrong or malformed key with 401 AUTH, and never logs the key', async (t) => {
    const { call, lines } = await start(t)
    const body = JSON.stringify({ a: 1 })
    for (const [key, why] of [
      [null, 'missing'],
      ['wrong-key-of-enough-length', 'wrong'],
    ] as const) {
      const res = await call('/v1/echo', { method: 'POST', body }, key)
      assert.equal(res.status, 401)
      assert.equal(res.body.error.code, 'AUTH')
      assert.match(res.body.error.message, new RegExp(why))
    }
    const malformed = await call(
      '/v1/echo',
      { method: 'POST', body, headers: { authorization: `Basic ${AUTHKEY}` } },
      null,
    )
    assert.equal(malformed.status, 401)
    assert.equal((await call('/v1/echo', { method: 'POST', body })).status, 200)
    assert.ok(lines.length > 0)
    assert.ok(!lines.join('').includes(AUTHKEY), 'the authkey was logged')
  })

  it('answers malformed JSON with 400 and an oversized body with 413', async (t) => {
    const { call } = await start(t)
    const malformed = await call('/v1/echo', { method: 'POST', body: '{"a":' })
    assert.equal(malformed.status, 400)
    assert.equal(malformed.body.error.code, 'VALUE_ERROR')
    const big = await call('/v1/echo', { method: 'POST', body: JSON.stringify('x'.repeat(2000)) })
    assert.equal(big.status, 413)
    assert.equal(big.body.error.code, 'VALUE_ERROR')
  })

  it('maps RedprocErrors and HttpErrors to their status; a bug is a 500 that tells nothing', async (t) => {
    const { call, lines } = await start(t)
    const refused = await call('/v1/refused')
    assert.deepEqual([refused.status, refused.body.error.code], [422, 'VALUE_ERROR'])
    const conflict = await call('/v1/conflict')
    assert.deepEqual(conflict.body, { error: { code: 'SHUTDOWN', message: 'gone', unfinished: 3 } })
    const broken = await call('/v1/broken')
    assert.equal(broken.status, 500)
    assert.ok(!JSON.stringify(broken.body).includes('a bug'))
    assert.ok(lines.join('').includes('a bug'), 'the bug is in the log')
    const missing = await call('/v1/nothing-here')
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'KEY_ERROR'])
  })

  it('keeps a request id the caller sends, and makes one otherwise', async (t) => {
    const { call } = await start(t)
    const given = await call('/healthz', { headers: { 'x-request-id': 'req-42' } }, null)
    assert.equal(given.headers.get('x-request-id'), 'req-42')
    const made = await call('/healthz', {}, null)
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/)
  })
})
