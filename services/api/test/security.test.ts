import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  AUTHKEY as SERVICE_KEY,
  startApi as startApiProcess,
  startProducer,
  uniqueNamespace,
} from '@redproc/test-support'
import { openApiDocument } from '../src/openapi/document.js'
import { AUTHKEY, startApi } from './support/api.js'

/** Every wrong way to send the key: each is 401 AUTH, and none shows the key in a log. */
function wrongWays(key: string): Array<[string, string, Record<string, string>]> {
  const base64 = Buffer.from(key).toString('base64')
  return [
    ['no key', '', {}],
    ['a wrong key', '', { authorization: 'Bearer wrong-key-0123456789abcdef' }],
    ['the key with a character more', '', { authorization: `Bearer ${key}x` }],
    ['the key with a character less', '', { authorization: `Bearer ${key.slice(0, -1)}` }],
    ['a very long key', '', { authorization: `Bearer ${key.repeat(300)}` }],
    ['the key without a scheme', '', { authorization: key }],
    ['the key in the Basic scheme', '', { authorization: `Basic ${base64}` }],
    ['the key in a Token scheme', '', { authorization: `Token ${key}` }],
    ['Bearer with two spaces', '', { authorization: `Bearer  ${key}` }],
    ['the key in X-Api-Key', '', { 'x-api-key': key }],
    ['the key in X-Authkey', '', { 'x-authkey': key }],
    ['the key in Proxy-Authorization', '', { 'proxy-authorization': `Bearer ${key}` }],
    ['the key in a query string', `?authkey=${key}`, {}],
    ['the key as access_token', `?access_token=${key}`, {}],
  ]
}

describe('security', () => {
  it('every route with data refuses a request without the key; health probes do not', async (t) => {
    const api = await startApi(t)
    const paths = Object.entries(
      openApiDocument().paths as Record<string, Record<string, { tags: string[] }>>,
    )
    for (const [path, operations] of paths) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.tags.includes('producer') || path === '/v1/session') continue
        const concrete = path
          .replace('{name}', 'n')
          .replace('{key}', 'k')
          .replace('{attr}', 'a')
          .replace('{index}', '0')
        const reply = await api.request(method.toUpperCase(), concrete, { auth: false })
        const open = path === '/healthz' || path === '/readyz'
        assert.equal(reply.status, open ? 200 : 401, `${method} ${path}`)
        if (!open) assert.equal(reply.body.error.code, 'AUTH')
      }
    }
    assert.equal((await api.request('GET', '/admin/queues', { auth: false })).status, 401)
  })

  it('refuses the key sent any other way with 401 AUTH, on the api and the producer, and never logs it', async (t) => {
    const namespace = uniqueNamespace()
    // At debug level: the most the services ever log.
    const env = { LOG_LEVEL: 'debug' }
    const api = await startApiProcess(t, { namespace, env })
    const producer = await startProducer(t, { namespace, env })
    const targets = [
      [api, '/v1/dicts/d'],
      [producer, '/v1/queues/q/jobs/1'],
    ] as const
    for (const [service, path] of targets) {
      for (const [what, query, headers] of wrongWays(SERVICE_KEY)) {
        const reply = await fetch(`${service.url}${path}${query}`, { headers })
        assert.equal(reply.status, 401, `${what}: ${reply.status}`)
        assert.equal(((await reply.json()) as { error: { code: string } }).error.code, 'AUTH', what)
      }
      const right = await fetch(`${service.url}${path}`, {
        headers: { authorization: `bearer ${SERVICE_KEY}` },
      })
      assert.notEqual(right.status, 401, 'the scheme is case-insensitive')
    }
    for (const service of [api, producer]) {
      service.process.signal('SIGTERM')
      await service.process.exited
      const logs = `${JSON.stringify(service.process.lines)}${service.process.stderr()}`
      assert.ok(service.process.lines.length > 10, 'the requests were logged')
      for (const part of [SERVICE_KEY, SERVICE_KEY.slice(0, 12), SERVICE_KEY.slice(-12)]) {
        assert.ok(!logs.includes(part), `the log shows ${part}`)
      }
      assert.ok(!logs.includes(Buffer.from(SERVICE_KEY).toString('base64').slice(0, 16)))
    }
  })

  it('sends helmet headers and no CORS header unless an origin is configured', async (t) => {
    const api = await startApi(t)
    const reply = await api.request('GET', '/v1/dicts/d', {
      headers: { origin: 'https://elsewhere.example' },
    })
    assert.match(reply.headers.get('content-security-policy') ?? '', /default-src 'self'/)
    assert.equal(reply.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(reply.headers.get('access-control-allow-origin'), null)
    assert.equal(reply.headers.get('x-powered-by'), null)
  })

  it('allows CORS for a configured origin only, with a preflight', async (t) => {
    const api = await startApi(t, { corsOrigins: ['https://app.example'] })
    const preflight = await api.request('OPTIONS', '/v1/dicts/d/k', {
      auth: false,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    })
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example')
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /if-match/)
    const other = await api.request('GET', '/v1/dicts/d', {
      headers: { origin: 'https://evil.example' },
    })
    assert.equal(other.headers.get('access-control-allow-origin'), null)
  })

  it('limits requests per client on /v1, wrong keys included', async (t) => {
    const api = await startApi(t, { rateLimitPerMinute: 3 })
    for (let i = 0; i < 3; i++)
      assert.notEqual((await api.request('GET', '/v1', { auth: false })).status, 429)
    const limited = await api.request('GET', '/v1')
    assert.equal(limited.status, 429)
    assert.equal(limited.body.error.code, 'RATE_LIMITED')
    assert.equal((await api.request('GET', '/healthz')).status, 200)
  })

  it('logs the dashboard in with a signed HttpOnly SameSite=Strict cookie that is not the key', async (t) => {
    const api = await startApi(t)
    const wrong = await api.request('POST', '/v1/session', {
      auth: false,
      body: { authkey: 'nope' },
    })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.headers.get('set-cookie'), null)
    const login = await api.request('POST', '/v1/session', {
      auth: false,
      body: { authkey: AUTHKEY },
    })
    assert.equal(login.status, 204)
    const cookie = login.headers.get('set-cookie') ?? ''
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Strict/)
    assert.ok(!cookie.includes(AUTHKEY))
    const session = cookie.split(';')[0] as string
    assert.equal(
      (await api.request('GET', '/v1', { auth: false, headers: { cookie: session } })).status,
      200,
    )
    const forged = session.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
    assert.equal(
      (await api.request('GET', '/v1', { auth: false, headers: { cookie: forged } })).status,
      401,
    )
  })

  it('serves the dashboard page and its bundled chart library without the key', async (t) => {
    const api = await startApi(t)
    const page = await fetch(`${api.url}/`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<form id="login"/)
    const uplot = await fetch(`${api.url}/assets/uPlot.iife.min.js`)
    assert.equal(uplot.status, 200)
    assert.match(await uplot.text(), /uPlot/)
  })
})
