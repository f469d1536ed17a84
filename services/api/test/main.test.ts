import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RemoteManager } from '@redproc/shared'
import { redisUrl } from './support/api.js'
import { startApiProcess } from './support/process.js'

const KEY = 'k3y-that-must-never-be-logged-7f1c'

describe('the api process', () => {
  it('serves with the key, never logs the key, and stops with exit 0 on SIGTERM', async (t) => {
    const api = startApiProcess(
      t,
      ['--port', '0', '--host', '127.0.0.1', '--namespace', `t-main-${process.pid}`],
      {
        REDIS_URL: redisUrl(),
        REDPROC_AUTHKEY: KEY,
      },
    )
    const url = await api.url()
    assert.equal((await fetch(`${url}/healthz`)).status, 200)
    await using manager = await RemoteManager.connect(url, { authkey: KEY })
    await manager.dict('d').set('k', 1)
    assert.equal(await manager.dict('d').get('k'), 1)
    await manager.dict('d').clear()
    const login = await fetch(`${url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authkey: KEY }),
    })
    assert.equal(login.status, 204)
    const wrong = await fetch(`${url}/v1/dicts/d`, { headers: { authorization: `Bearer ${KEY}x` } })
    assert.equal(wrong.status, 401)
    await manager.close()
    api.child.kill('SIGTERM')
    assert.equal(await api.exited, 0)
    const logs = api.output()
    assert.match(logs, /"msg":"request completed"/, 'requests are logged')
    assert.ok(!logs.includes(KEY), 'the key appears nowhere in the logs')
    assert.ok(!logs.includes(KEY.slice(0, 12)), 'nor any part of it')
  })

  const refusals: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['no key', ['--port', '0'], {}, /REDPROC_AUTHKEY is not set/],
    [
      '--insecure-loopback on a public host',
      ['--insecure-loopback', '--host', '0.0.0.0'],
      {},
      /loopback --host/,
    ],
    ['an unknown flag', ['--prot', '1'], { REDPROC_AUTHKEY: KEY }, /Unknown option '--prot'/],
    ['a bad port', ['--port', 'eighty'], { REDPROC_AUTHKEY: KEY }, /port must be an integer/],
    [
      'a bad namespace',
      ['--namespace', '{x}'],
      { REDPROC_AUTHKEY: KEY },
      /namespace "\{x\}" is invalid/,
    ],
  ]
  for (const [what, args, env, message] of refusals) {
    it(`refuses to start with ${what}: exit 1, one clear line`, async (t) => {
      const api = startApiProcess(t, args, { REDIS_URL: redisUrl(), ...env })
      assert.equal(await api.exited, 1)
      assert.match(api.output(), message)
      assert.doesNotMatch(api.output(), /\n\s+at /, 'no stack trace')
    })
  }

  it('serves without a key only on loopback with --insecure-loopback', async (t) => {
    const api = startApiProcess(t, ['--insecure-loopback', '--host', '127.0.0.1', '--port', '0'], {
      REDIS_URL: redisUrl(),
    })
    const url = await api.url()
    assert.equal((await fetch(`${url}/v1`)).status, 200)
    api.child.kill('SIGTERM')
    assert.equal(await api.exited, 0)
  })
})
