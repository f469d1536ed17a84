import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createHttpServer } from '@redproc/service-kit'
import {
  AUTHKEY as SERVICE_AUTHKEY,
  startApi as startApiProcess,
  startRedisServer,
  uniqueNamespace,
} from '@redproc/test-support'
import type { Express } from 'express'
import { AUTHKEY, startApi } from './support/api.js'

/** Headers that differ from one answer to the next, whoever sends it. */
const PER_ANSWER = new Set(['date', 'x-request-id', 'keep-alive', 'connection'])

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

async function send(url: string, method: string, path: string, body?: string): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${AUTHKEY}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${url}${path}`, { method, headers, body })
  const kept = [...response.headers].filter(([name]) => !PER_ANSWER.has(name))
  return { status: response.status, headers: Object.fromEntries(kept), body: await response.text() }
}

/** The express app alone, on a port of its own: the answers the fast routes must match. */
async function expressAlone(t: TestContext, app: Express): Promise<string> {
  const server = createHttpServer(app).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Counts the requests that reach express (its app calls `handle` for each; untyped). */
function countExpress(app: Express): { readonly count: number } {
  const counter = { count: 0 }
  const routed = app as Express & { handle: (...args: unknown[]) => unknown }
  const handle = routed.handle.bind(app)
  routed.handle = (...args) => {
    counter.count++
    return handle(...args)
  }
  return counter
}

const deep = `{"value":${'['.repeat(2000)}${']'.repeat(2000)}}`

describe('the fast routes', () => {
  it('answer the plain GET and PUT of a dict key and a value without express, as express does', async (t) => {
    const api = await startApi(t, { rateLimitPerMinute: 0 })
    const slow = await expressAlone(t, api.app)
    const cases: Array<[string, string, string?]> = [
      ['PUT', '/v1/dicts/d/k%2F%C3%A9', '{"value":{"n":1}}'],
      ['GET', '/v1/dicts/d/k%2F%C3%A9'],
      ['GET', '/v1/dicts/d/missing'],
      ['PUT', '/v1/values/v', '{"value":[1,"x",null]}'],
      ['GET', '/v1/values/v'],
      ['GET', '/v1/values/never-set'],
      ['PUT', '/v1/dicts/d/k', '\uFEFF{"value":2}'],
      ['PUT', '/v1/dicts/has%20space%2A/k', '{"value":1}'],
      ['PUT', '/v1/dicts/d/k', '{"value":'],
      ['PUT', '/v1/dicts/d/k', ' 12'],
      ['PUT', '/v1/dicts/d/k', '"a string"'],
      ['PUT', '/v1/dicts/d/k', '   '],
      ['PUT', '/v1/dicts/d/k', ''],
      ['PUT', '/v1/dicts/d/k', '{"valu":1}'],
      ['PUT', '/v1/values/v', '[1]'],
      ['PUT', '/v1/values/v', '{"value":{"x":1},"more":2}'],
      ['PUT', '/v1/dicts/d/k', deep],
    ]
    const reachedExpress = countExpress(api.app)
    for (const [method, path, body] of cases) {
      const before = reachedExpress.count
      const fast = await send(api.url, method, path, body)
      assert.equal(reachedExpress.count, before, `${method} ${path} ${body} went to express`)
      const expected = await send(slow, method, path, body)
      assert.deepEqual(fast, expected, `${method} ${path} ${body}`)
    }
  })

  it('leave every other form of those requests to express', async (t) => {
    const api = await startApi(t, { rateLimitPerMinute: 0, corsOrigins: ['https://app.example'] })
    const reachedExpress = countExpress(api.app)
    const json = { 'content-type': 'application/json' }
    const key = { authorization: `Bearer ${AUTHKEY}` }
    const others: Array<[string, string, Record<string, string>, string?]> = [
      ['GET', '/v1/dicts/d/k', {}],
      ['GET', '/v1/dicts/d/k', { authorization: 'Bearer wrong' }],
      ['GET', '/v1/dicts/d/k?x=1', key],
      ['GET', '/v1/dicts/d/k/', key],
      ['HEAD', '/v1/dicts/d/k', key],
      ['GET', '/v1/dicts/d/k', { ...key, origin: 'https://app.example' }],
      ['PUT', '/v1/dicts/d/k', { ...key, ...json, 'if-none-match': '*' }, '{"value":1}'],
      ['PUT', '/v1/dicts/d/k', { ...key, 'content-type': 'text/plain' }, '{"value":1}'],
      ['PUT', '/v1/values/v', { ...key, ...json, 'content-encoding': 'gzip' }, 'x'],
      ['GET', '/v1/dicts/%E0%A4%A/k', key],
    ]
    for (const [method, path, headers, body] of others) {
      const before = reachedExpress.count
      const reply = await fetch(`${api.url}${path}`, { method, headers, body })
      await reply.arrayBuffer()
      assert.equal(reachedExpress.count, before + 1, `${method} ${path} did not reach express`)
      assert.ok(reply.status < 500, `${method} ${path}: ${reply.status}`)
    }
  })

  it('count against the rate limit with express: one budget per address', async (t) => {
    const api = await startApi(t, { rateLimitPerMinute: 4 })
    assert.equal((await api.request('PUT', '/v1/values/v', { body: { value: 1 } })).status, 204)
    assert.equal((await api.request('GET', '/v1/values/v')).status, 200)
    assert.equal((await api.request('GET', '/v1')).status, 200)
    const last = await api.request('GET', '/v1/values/v')
    assert.equal(last.status, 200)
    assert.match(last.headers.get('ratelimit') ?? '', /r=0;/)
    const fast = await api.request('GET', '/v1/values/v')
    assert.equal(fast.status, 429)
    assert.equal(fast.body.error.code, 'RATE_LIMITED')
    assert.ok(Number(fast.headers.get('retry-after')) > 0)
    assert.equal((await api.request('GET', '/v1')).status, 429)
  })
})

describe('the fast routes while Redis is away', () => {
  it('answer 503 CONNECTION (never hang, never 500) and serve again, with nothing lost, once Redis is back', async (t) => {
    const redis = await startRedisServer(t)
    const api = await startApiProcess(t, {
      namespace: uniqueNamespace(),
      args: ['--rate-limit', '0'],
      env: { REDIS_URL: redis.url },
    })
    const send = (method: string, path: string, body?: string) =>
      fetch(`${api.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${SERVICE_AUTHKEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
        signal: AbortSignal.timeout(30_000),
      })
    assert.equal((await send('PUT', '/v1/dicts/d/before', '{"value":1}')).status, 204)

    await redis.stop('SIGKILL')
    for (const [method, path, body] of [
      ['PUT', '/v1/dicts/d/during', '{"value":2}'],
      ['GET', '/v1/dicts/d/before'],
      ['PUT', '/v1/values/v', '{"value":3}'],
      ['GET', '/v1/values/v'],
    ] as const) {
      const started = performance.now()
      const reply = await send(method, path, body)
      const answer = (await reply.json()) as { error?: { code?: string } }
      const tookMs = Math.round(performance.now() - started)
      assert.equal(reply.status, 503, `${method} ${path}: ${reply.status} after ${tookMs} ms`)
      assert.equal(answer.error?.code, 'CONNECTION')
      assert.ok(tookMs < 20_000, `${method} ${path} answered after ${tookMs} ms`)
    }

    await redis.start()
    // The api reconnects by itself; the next answers are 503 until it has.
    while ((await send('GET', '/v1/dicts/d/before')).status !== 200) await sleep(100)
    const before = await send('GET', '/v1/dicts/d/before')
    assert.deepEqual(await before.json(), { value: 1 }, 'an acknowledged write was lost')
    assert.equal((await send('PUT', '/v1/dicts/d/after', '{"value":4}')).status, 204)
  })
})
