import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, HTTP_FLAGS, httpConfig, parseFlags } from '../src/index.js'

const KEY = { REDPROC_AUTHKEY: 'a-test-key-of-enough-length' }

describe('http config', () => {
  it('reads flags before the environment, and defaults last', () => {
    const flags = parseFlags(['--port', '4000', '--namespace', 'app'], HTTP_FLAGS)
    const config = httpConfig(flags, { ...KEY, PORT: '5000', REDPROC_NAMESPACE: 'other' }, 3001)
    assert.equal(config.port, 4000)
    assert.equal(config.namespace, 'app')
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379')
    assert.equal(httpConfig({}, KEY, 3001).port, 3001)
  })

  it('refuses to run without a key unless on loopback with --insecure-loopback', () => {
    assert.throws(() => httpConfig({}, {}, 3001), /REDPROC_AUTHKEY is not set/)
    assert.throws(
      () => httpConfig({ 'insecure-loopback': true, host: '0.0.0.0' }, {}, 3001),
      /needs a loopback --host/,
    )
    assert.equal(httpConfig({ 'insecure-loopback': true }, {}, 3001).authkey, undefined)
    assert.throws(() => httpConfig({}, { REDPROC_AUTHKEY: 'short' }, 3001), /too short/)
  })

  it('names the flag or variable at fault in one line', () => {
    assert.throws(
      () => parseFlags(['--prot', '1'], HTTP_FLAGS),
      (error: Error) => {
        assert.ok(error instanceof ConfigError)
        assert.match(error.message, /Unknown option '--prot'.*known flags: --port/)
        return true
      },
    )
    assert.throws(() => httpConfig({ port: 'eighty' }, KEY, 3001), /--port\/PORT is "eighty"/)
    assert.throws(() => httpConfig({}, { ...KEY, REDIS_URL: 'localhost' }, 3001), /REDIS_URL/)
  })
})
