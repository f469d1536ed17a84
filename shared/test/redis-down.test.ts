// Calls with a timeout of their own while Redis is down: they fail with
// CONNECTION by that timeout (not after the client's ~10 s of reconnection
// attempts), and what they had not sent is never sent.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Context, connect, isRedprocError } from '../src/index.js'
import { hasCode, msUntilRefused } from './support/error-codes.js'
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.js'
import { uniqueNamespace } from './support/redis.js'
import { until } from './support/until.js'

const TIMEOUT_MS = 300
/** How late a refusal may come on a machine busy with other tests. */
const SLACK_MS = 1200

/** Words of ioredis's own messages, which name options redproc does not take. */
const IOREDIS_ADVICE = /maxRetriesPerRequest|enableOfflineQueue|Refer to/

/** Every call below with a timeout of its own, on objects of `mp`. */
function timedCalls(mp: Context): Array<[string, () => Promise<unknown>]> {
  const [end] = mp.pipe('p')
  const condition = mp.condition('c')
  return [
    ['queue.get', () => mp.queue('q').get({ timeout: TIMEOUT_MS })],
    ['queue.put', () => mp.queue('q').put(1, { timeout: TIMEOUT_MS })],
    ['joinableQueue.get', () => mp.joinableQueue('j').get({ timeout: TIMEOUT_MS })],
    ['joinableQueue.put', () => mp.joinableQueue('j').put(1, { timeout: TIMEOUT_MS })],
    ['joinableQueue.join', () => mp.joinableQueue('j').join({ timeout: TIMEOUT_MS })],
    ['pipe.recv', () => end.recv({ timeout: TIMEOUT_MS })],
    ['pipe.poll', () => end.poll(TIMEOUT_MS)],
    ['lock.acquire', () => mp.lock('l').acquire({ timeout: TIMEOUT_MS })],
    ['semaphore.acquire', () => mp.semaphore('s', 0).acquire({ timeout: TIMEOUT_MS })],
    ['event.wait', () => mp.event('e').wait({ timeout: TIMEOUT_MS })],
    ['condition.acquire', () => condition.acquire({ timeout: TIMEOUT_MS })],
    ['barrier.wait', () => mp.barrier('b', 2).wait({ timeout: TIMEOUT_MS })],
  ]
}

async function assertEachFailsByItsTimeout(mp: Context): Promise<void> {
  const outcomes = await Promise.all(
    timedCalls(mp).map(async ([name, call]) => {
      const started = performance.now()
      const error = await call().then(
        () => undefined,
        (failure: unknown) => failure,
      )
      return { name, error, elapsed: performance.now() - started }
    }),
  )
  for (const { name, error, elapsed } of outcomes) {
    assert.ok(isRedprocError(error, 'CONNECTION'), `${name} gave ${String(error)}`)
    assert.doesNotMatch(error.message, IOREDIS_ADVICE, name)
    assert.match(error.message, /no answer within the call's timeout of 300 ms/, name)
    assert.ok(
      elapsed >= TIMEOUT_MS - 5 && elapsed < TIMEOUT_MS + SLACK_MS,
      `${name} failed after ${Math.round(elapsed)} ms`,
    )
  }
}

/** A context on `redis` that has used every object of `timedCalls`, so their connections are open. */
async function warmContext(redis: PrivateRedis): Promise<Context> {
  const mp = await redis.connect()
  await mp
    .queue('q')
    .get({ timeout: 1 })
    .catch(() => {})
  await mp
    .joinableQueue('j')
    .get({ timeout: 1 })
    .catch(() => {})
  await mp.joinableQueue('j').join({ timeout: 1000 })
  await mp.pipe('p')[0].poll(1)
  await mp.event('e').wait({ timeout: 1 })
  return mp
}

/**
 * Starts Redis again where `redis` was, once the test's checks are done, so
 * that closing the test's contexts does not spend its grace for an
 * unreachable Redis (tested on its own below).
 */
async function bringBack(redis: PrivateRedis, t: TestContext): Promise<void> {
  await startPrivateRedis(t, redis.port)
}

describe('while Redis is down', () => {
  it('every call with a timeout fails with CONNECTION by that timeout', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    await redis.kill()
    await assertEachFailsByItsTimeout(mp)
    await bringBack(redis, t)
  })

  it('so do calls on connections that were open and waiting before', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await warmContext(redis)
    await redis.kill()
    await assertEachFailsByItsTimeout(mp)
    await bringBack(redis, t)
  })

  it('a wait under way when Redis goes down fails by its timeout', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await warmContext(redis)
    const started = performance.now()
    const waits = [
      mp.queue('q').get({ timeout: 1500 }),
      mp.joinableQueue('j').get({ timeout: 1500 }),
      mp.event('e').wait({ timeout: 1500 }),
    ]
    await sleep(200)
    await redis.kill()
    await Promise.all(waits.map((wait) => assert.rejects(wait, hasCode('CONNECTION'))))
    const elapsed = performance.now() - started
    assert.ok(
      elapsed >= 1490 && elapsed < 1500 + SLACK_MS,
      `failed after ${Math.round(elapsed)} ms`,
    )
    await bringBack(redis, t)
  })

  it('what a call had not sent by its timeout is never sent, even once Redis is back', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    await redis.kill()
    await assert.rejects(mp.queue('q').put('ghost', { timeout: TIMEOUT_MS }), hasCode('CONNECTION'))
    await assert.rejects(mp.lock('l').acquire({ timeout: TIMEOUT_MS }), hasCode('CONNECTION'))
    await assert.rejects(
      mp.joinableQueue('j').put('ghost', { timeout: TIMEOUT_MS }),
      hasCode('CONNECTION'),
    )
    // Back within the client's reconnection attempts, which would replay what it kept.
    const back = await startPrivateRedis(t, redis.port)
    await until(() => mp.redis.status === 'ready', 'the context to reconnect')
    assert.equal(await mp.queue('q').qsize(), 0)
    assert.equal(await mp.lock('l').locked(), false)
    assert.equal(await mp.joinableQueue('j').unfinishedTasks(), 0)
    assert.equal(await back.admin.dbsize(), 0)
  })

  it('a call whose timeout outlasts the outage succeeds', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    await redis.kill()
    const put = mp.queue('q').put('kept', { timeout: 5000 })
    const acquired = mp.lock('l').acquire({ timeout: 5000 })
    await sleep(500)
    await startPrivateRedis(t, redis.port)
    await put
    assert.equal(await acquired, true)
    assert.deepEqual(await mp.queue('q').get({ timeout: 0 }), 'kept')
  })

  it('a call without a timeout fails with CONNECTION worded by redproc, not ioredis', async (t) => {
    const redis = await startPrivateRedis(t)
    // ioredis options may shorten the reconnection attempts, here to one.
    const mp = await connect({
      redis: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 },
      namespace: uniqueNamespace(),
    })
    t.after(() => mp.close())
    await redis.kill()
    await assert.rejects(mp.dict('d').get('k'), (error) => {
      hasCode('CONNECTION')(error)
      assert.doesNotMatch(String(error), IOREDIS_ADVICE)
      assert.match(String(error), /Redis is unreachable: no answer through 1 attempts to reconnect/)
      return true
    })
  })
})

describe('closing while Redis is down', () => {
  it('ends the waits of the context and returns, without waiting for Redis', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    const waits = Promise.allSettled([
      mp.joinableQueue('j').get(),
      mp.queue('q').get(),
      mp.pipe('p')[0].poll(60_000),
    ])
    await sleep(200)
    await redis.kill()
    await sleep(500) // the clients now wait to reconnect
    const started = performance.now()
    await mp.close()
    const elapsed = performance.now() - started
    // Its grace for an unreachable Redis is 2 s, well short of the client's ~10 s of attempts.
    assert.ok(elapsed < 2000 + SLACK_MS, `closed after ${Math.round(elapsed)} ms`)
    for (const outcome of await waits) {
      assert.equal(outcome.status, 'rejected')
      assert.ok(isRedprocError(outcome.reason), String(outcome.reason))
    }
  })
})

describe('connect fails fast', () => {
  it('when nothing listens: CONNECTION at once, saying how to wait instead', async (t) => {
    const redis = await startPrivateRedis(t)
    await redis.kill()
    const elapsed = await msUntilRefused('CONNECTION', () => connect({ redis: redis.url }))
    assert.ok(elapsed < 1000, `refused after ${Math.round(elapsed)} ms`)
    await assert.rejects(
      connect({ redis: redis.url }),
      /ECONNREFUSED.*Is it running.*connectTimeoutMs/,
    )
  })
})
