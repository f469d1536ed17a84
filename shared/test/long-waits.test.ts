import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { AsyncResult, connect } from '../src/index.js'
import { commandCalls, startPrivateRedis } from './support/private-redis.js'
import { openContext, uniqueNamespace } from './support/redis.js'

/** Past what one Node timer (2^31 - 1 ms) or one Redis block can hold. */
const LONG_MS = 3e9

/**
 * Whether `promise` is still unsettled after `ms`: what a wait that must not
 * end early looks like from outside (nothing announces that it did not end).
 */
async function stillPendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(
    () => false,
    () => false,
  )
  return Promise.race([settled, sleep(ms).then(() => true)])
}

describe('waits longer than a Node timer', () => {
  it('pipe.poll(3e9) waits for a message instead of answering false at once', async (t) => {
    const mp = await openContext(t)
    const [a, b] = mp.pipe('p')
    const polled = a.poll(LONG_MS)
    assert.equal(await stillPendingAfter(polled, 300), true, 'poll returned at once')
    await b.send('hello')
    assert.equal(await polled, true)
  })

  it('queue.get({ timeout: 3e9 }) waits for an item instead of EMPTY at once', async (t) => {
    const mp = await openContext(t)
    const queue = mp.queue('q')
    const first = queue.get()
    // The first get's pop is in flight: the second waits on its own timer until the next round.
    await sleep(50)
    const second = queue.get({ timeout: LONG_MS })
    assert.equal(await stillPendingAfter(second, 300), true, 'get gave up at once')
    await queue.putMany(['a', 'b'])
    assert.deepEqual([await first, await second], ['a', 'b'])
  })

  it('event.wait({ timeout: 1e300 }) waits: Redis gets a block it accepts', async (t) => {
    const mp = await openContext(t)
    const event = mp.event('e')
    const waited = event.wait({ timeout: 1e300 })
    assert.equal(await stillPendingAfter(waited, 300), true, 'wait ended at once')
    await event.set()
    assert.equal(await waited, true)
  })

  it('AsyncResult.wait({ timeout: 3e9 }) waits for the result instead of false at once', async () => {
    let finish: (value: number) => void = () => {}
    const result = new AsyncResult(new Promise<number>((resolve) => (finish = resolve)))
    const waited = result.wait({ timeout: LONG_MS })
    assert.equal(await stillPendingAfter(waited, 300), true, 'wait returned at once')
    finish(7)
    assert.equal(await waited, true)
    assert.equal(await result.get({ timeout: LONG_MS }), 7)
  })

  it('a lock and a permit with a ttl of 7e9 ms are renewed rarely, not every millisecond', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await connect({ redis: redis.url, namespace: uniqueNamespace() })
    t.after(() => mp.close())
    const lock = mp.lock('l', { ttl: 7e9 })
    const semaphore = mp.semaphore('s', 1, { ttl: 7e9 })
    assert.equal(await lock.acquire(), true)
    assert.equal(await semaphore.acquire(), true)
    const total = async () =>
      [...(await commandCalls(redis.admin)).values()].reduce((a, b) => a + b)
    const before = await total()
    await sleep(1000)
    // INFO itself is the one command counted between the two readings.
    const perSecond = (await total()) - before - 1
    t.diagnostic(`${perSecond} commands in one second while holding`)
    assert.ok(perSecond <= 5, `${perSecond} commands in one second while holding`)
    await lock.release()
    await semaphore.release()
  })
})
