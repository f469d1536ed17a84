// What the HTTP junk test found, kept as plain examples: each was a 500, a
// bare status line without the error body, a dropped connection or a hang.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, it, type TestContext } from 'node:test'
import { gzipSync } from 'node:zlib'
import { pino } from 'pino'
import { createServiceApp, listen } from './support.js'

const AUTHKEY = 'a-test-key-of-enough-length'
const AUTH = `Authorization: Bearer ${AUTHKEY}\r\n`

async function start(t: TestContext): Promise<number> {
  const app = createServiceApp({
    logger: pino({ level: 'silent' }),
    authkey: AUTHKEY,
    bodyLimitBytes: 1 << 20,
    ready: async () => true,
    routes: (v1) => {
      v1.post('/echo', (req, res) => {
        res.json(req.body)
      })
      v1.get('/items/:id', (req, res) => {
        res.json({ id: req.params.id })
      })
    },
  })
  const listening = await listen(app, 0, '127.0.0.1')
  t.after(() => listening.close(0))
  return Number(new URL(listening.url).port)
}

interface Exchange {
  status: number
  head: string
  body: string
  /** Whether the server closed the connection after its answer. */
  closed: boolean
  /** Every answer on the connection, in order: a hang shows as one too few. */
  statuses: number[]
}

/** Sends `bytes` as they are on a new connection and reads what comes back until it closes (or for 500 ms). */
function exchange(port: number, ...bytes: Array<string | Buffer>): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let closed = false
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      const [head = '', body = ''] = text.split('\r\n\r\n')
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))
      resolve({ status: statuses[0] ?? 0, head, body, closed, statuses })
    }
    const timer = setTimeout(done, 500)
    socket.on('close', () => {
      closed = true
      done()
    })
    for (const part of bytes) socket.write(part)
  })
}

function errorCode(reply: Exchange): string {
  return JSON.parse(reply.body).error.code
}

const post = (path: string, headers: string, body: Buffer | string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\n${AUTH}${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`

describe('requests HTTP itself refuses, answered with the error body', () => {
  it('a gzip body that does not inflate: 400, not 500', async (t) => {
    const port = await start(t)
    const junk = '{"a":1}'
    const reply = await exchange(port, post('/v1/echo', 'Content-Encoding: gzip\r\n', junk), junk)
    assert.deepEqual([reply.status, errorCode(reply)], [400, 'VALUE_ERROR'])
    const good = gzipSync('{"a":1}')
    const inflated = await exchange(
      port,
      post('/v1/echo', 'Content-Encoding: gzip\r\n', good),
      good,
    )
    assert.deepEqual([inflated.status, inflated.body], [200, '{"a":1}'])
  })

  it('an unknown content encoding: 415', async (t) => {
    const port = await start(t)
    const reply = await exchange(port, post('/v1/echo', 'Content-Encoding: x\r\n', '{}'), '{}')
    assert.deepEqual([reply.status, errorCode(reply)], [415, 'VALUE_ERROR'])
  })

  it('a path parameter that is not UTF-8: 400, not 500', async (t) => {
    const port = await start(t)
    const reply = await exchange(port, `GET /v1/items/%FF HTTP/1.1\r\nHost: x\r\n${AUTH}\r\n`)
    assert.deepEqual([reply.status, errorCode(reply)], [400, 'VALUE_ERROR'])
  })

  it('a body nested deeper than the stack: 400 NOT_SERIALIZABLE, not 500', async (t) => {
    const port = await start(t)
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const reply = await exchange(port, post('/v1/echo', '', deep), deep)
    assert.deepEqual([reply.status, errorCode(reply)], [400, 'NOT_SERIALIZABLE'])
  })

  it('headers over the limit: 431 with the error body, then the connection closes', async (t) => {
    const port = await start(t)
    const reply = await exchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'v'.repeat(20_000)}\r\n\r\n`,
    )
    assert.deepEqual([reply.status, errorCode(reply), reply.closed], [431, 'VALUE_ERROR', true])
    const head = await exchange(
      port,
      `HEAD /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'v'.repeat(20_000)}\r\n\r\n`,
    )
    assert.deepEqual([head.status, head.body], [431, ''], 'the answer to a HEAD has no body')
  })

  it('an unknown method or a request that is not HTTP: 400 with the error body', async (t) => {
    const port = await start(t)
    for (const request of ['FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 'hello\r\n\r\n']) {
      const reply = await exchange(port, request)
      assert.deepEqual([reply.status, errorCode(reply), reply.closed], [400, 'VALUE_ERROR', true])
    }
  })

  it('an HTTP/1.1 request without Host: 400 with the error body', async (t) => {
    const port = await start(t)
    const reply = await exchange(port, 'GET /healthz HTTP/1.1\r\n\r\n')
    assert.deepEqual([reply.status, errorCode(reply)], [400, 'VALUE_ERROR'])
    assert.equal((await exchange(port, 'GET /healthz HTTP/1.0\r\n\r\n')).status, 200)
  })

  it('an Expect other than 100-continue: 417, and the body sent anyway is not read as a request', async (t) => {
    const port = await start(t)
    const reply = await exchange(port, post('/v1/echo', 'Expect: x\r\n', '{}'), '{}')
    assert.deepEqual([reply.status, errorCode(reply), reply.closed], [417, 'VALUE_ERROR', true])
  })

  it('a CONNECT: 405 with the error body, not a dropped connection', async (t) => {
    const port = await start(t)
    const reply = await exchange(
      port,
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n',
    )
    assert.deepEqual([reply.status, errorCode(reply), reply.closed], [405, 'VALUE_ERROR', true])
  })

  it('an Upgrade no route grants: answered, and the connection closes rather than hangs', async (t) => {
    const port = await start(t)
    const upgrade =
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n'
    const next = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
    const reply = await exchange(port, upgrade, next)
    assert.equal(reply.status, 200)
    assert.match(reply.head, /\r\nConnection: close/i)
    assert.equal(reply.closed, true, 'left open, the connection would never answer again')
    // A plain keep-alive connection answers both.
    assert.deepEqual((await exchange(port, next, next)).statuses, [200, 200])
  })
})
