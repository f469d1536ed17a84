import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, isRedprocError } from '../src/index.js'
import { runChild } from './support/children.js'
import { hasCode, msUntilRefused } from './support/error-codes.js'
import { freePort, startPrivateRedis } from './support/private-redis.js'
import { openContext, redisTarget, sentinelTarget, uniqueNamespace } from './support/redis.js'

describe('connect', () => {
  it('takes a URL, ioredis options, a Sentinel or cluster nodes', async (t) => {
    const url = new URL(redisTarget('single') as string)
    const namespace = uniqueNamespace()
    const targets = [
      url.href,
      { host: url.hostname, port: Number(url.port) },
      sentinelTarget(),
      redisTarget('cluster'),
    ]
    for (const redis of targets) {
      const mp = await connect({ redis, namespace })
      t.after(() => mp.close())
      await mp.value('seen', 0).add(1)
    }
    const mp = await openContext(t, 'single', namespace)
    assert.equal(await mp.value('seen').get(), 3) // the cluster is another Redis
  })

  it('shares objects within a namespace, and only there', async (t) => {
    const shared = uniqueNamespace()
    const a = await openContext(t, 'single', shared)
    const b = await openContext(t, 'single', shared)
    const other = await openContext(t, 'single')
    await a.dict('d').set('k', 'v')
    assert.equal(await b.dict('d').get('k'), 'v')
    assert.equal(await other.dict('d').get('k'), undefined)
  })

  it('refuses an invalid namespace with INVALID_NAME', async () => {
    await assert.rejects(
      connect({ redis: redisTarget('single'), namespace: 'no spaces' }),
      (error) => isRedprocError(error, 'INVALID_NAME'),
    )
  })

  it('fails with CONNECTION when Redis does not answer in time', async () => {
    const port = await freePort()
    const started = Date.now()
    await assert.rejects(
      connect({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
      (error) =>
        isRedprocError(error, 'CONNECTION') && /did not answer within 300 ms/.test(String(error)),
    )
    assert.ok(Date.now() - started < 2000)
  })

  it('follows a Redis that comes up within connectTimeoutMs', async (t) => {
    const port = await freePort()
    const started = performance.now()
    const connecting = connect({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 8000 })
    // Nothing listens yet: the first attempts are refused.
    await sleep(2000)
    await startPrivateRedis(t, port)
    const mp = await connecting
    t.after(() => mp.close())
    const elapsed = performance.now() - started
    assert.ok(elapsed < 4000, `connected after ${Math.round(elapsed)} ms`)
    assert.equal(await mp.value('up', 1).get(), 1)
  })

  it('fails with CONNECTION once connectTimeoutMs has passed without a Redis', async () => {
    const port = await freePort()
    const elapsed = await msUntilRefused('CONNECTION', () =>
      connect({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1500 }),
    )
    assert.ok(elapsed >= 1490 && elapsed < 3000, `failed after ${Math.round(elapsed)} ms`)
  })

  it('waits for as long as it takes with connectTimeoutMs: Infinity', async (t) => {
    const port = await freePort()
    const connecting = connect({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: Infinity })
    await sleep(1000)
    await startPrivateRedis(t, port)
    const mp = await connecting
    t.after(() => mp.close())
    assert.equal(mp.closed, false)
  })

  it('refuses a URL that is not redis:// with VALUE_ERROR, before connecting', async () => {
    const host = new URL(redisTarget('single') as string).host
    for (const redis of [`http://${host}`, host, `redis://${host}/abc`, `redis://${host}/-1`]) {
      const elapsed = await msUntilRefused('VALUE_ERROR', () => connect({ redis }))
      assert.ok(elapsed < 100, `${redis} refused after ${Math.round(elapsed)} ms`)
    }
    await assert.rejects(connect({ redis: `http://${host}` }), /must be a redis:\/\/ URL/)
    // The refused text is not shown: a URL may hold a password.
    await assert.rejects(connect({ redis: 'localhost:secret@6379' }), (error) => {
      hasCode('VALUE_ERROR')(error)
      assert.doesNotMatch(String(error), /secret/)
      return true
    })
    const [hostname, port] = host.split(':')
    const options = { host: hostname, port: Number(port) }
    await assert.rejects(connect({ redis: { ...options, db: -1 } }), hasCode('VALUE_ERROR'))
    await assert.rejects(connect({ redis: { ...options, db: 1.5 } }), hasCode('TYPE_ERROR'))
  })

  it('refuses a database the server does not have, rather than use database 0', async () => {
    const url = new URL(redisTarget('single') as string)
    url.pathname = '/16' // a Redis has 0 to 15 unless configured otherwise
    await assert.rejects(connect({ redis: url.href }), (error) => {
      hasCode('VALUE_ERROR')(error)
      assert.match(String(error), /refused database 16/)
      return true
    })
    const options = { host: url.hostname, port: Number(url.port), db: 16 }
    await assert.rejects(connect({ redis: options }), hasCode('VALUE_ERROR'))
  })

  it('uses the database a URL names', async (t) => {
    const url = new URL(redisTarget('single') as string)
    url.pathname = '/3'
    const namespace = uniqueNamespace()
    const mp = await connect({ redis: url.href, namespace })
    const d = mp.dict('d')
    t.after(async () => {
      await d.clear()
      await mp.close()
    })
    await d.set('k', 'in 3')
    const zero = await openContext(t, 'single', namespace)
    assert.equal(await zero.dict('d').get('k'), undefined)
    assert.equal(await d.get('k'), 'in 3')
  })

  it('refuses a connectTimeoutMs that is not a positive number, and unknown options', async () => {
    const redis = redisTarget('single')
    for (const connectTimeoutMs of [Number.NaN, '10', null]) {
      await assert.rejects(connect({ redis, connectTimeoutMs } as never), hasCode('TYPE_ERROR'))
    }
    for (const connectTimeoutMs of [0, -1, Number.NEGATIVE_INFINITY]) {
      await assert.rejects(connect({ redis, connectTimeoutMs }), hasCode('VALUE_ERROR'))
    }
    await assert.rejects(connect(null as never), hasCode('TYPE_ERROR'))
    await assert.rejects(connect({ redis, timeout: 5 } as never), hasCode('TYPE_ERROR'))
    await assert.rejects(connect({ redis: 5 } as never), hasCode('TYPE_ERROR'))
    await assert.rejects(connect({ redis, logger: console.log } as never), hasCode('TYPE_ERROR'))
    await assert.rejects(
      connect({ redis, pool: { backend: 'bogus' } } as never),
      hasCode('VALUE_ERROR'),
    )
  })

  it('closes twice without error, and by `await using`', async () => {
    const mp = await connect({ redis: redisTarget('single') })
    await Promise.all([mp.close(), mp.close()])
    await mp.close()
    assert.equal(mp.closed, true)
    let disposed: Awaited<ReturnType<typeof connect>> | undefined
    {
      await using scoped = await connect({ redis: redisTarget('single') })
      disposed = scoped
      assert.equal(disposed.closed, false)
    }
    assert.equal(disposed.closed, true)
  })

  it('fails with CONNECTION when used after close', async () => {
    const mp = await connect({ redis: redisTarget('single') })
    await mp.close()
    await assert.rejects(mp.dict('d').get('k'), (error) => isRedprocError(error, 'CONNECTION'))
  })

  it('leaves no open handle: a process that closes its context exits by itself', async (t) => {
    const mp = await openContext(t)
    // runChild fails unless the child exits with 0; it is killed after 10 s.
    await runChild(t, 'use-and-close', [mp.options.namespace], 10_000)
    assert.equal(await mp.list('l').length(), 1)
  })
})
