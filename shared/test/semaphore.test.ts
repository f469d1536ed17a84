import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runChildren, startChild } from './support/children.js'
import { hasCode } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

for (const topology of TOPOLOGIES) {
  describe(`semaphore (${topology})`, () => {
    it('counts permits down to zero, where a non-blocking acquire returns false', async (t) => {
      const mp = await openContext(t, topology)
      const s = mp.semaphore('s', 2)
      assert.equal(await s.value(), 2)
      assert.equal(await s.acquire(), true)
      assert.equal(await mp.semaphore('s', 2).acquire({ blocking: false }), true)
      assert.equal(await s.value(), 0)
      assert.equal(await s.acquire({ blocking: false }), false)
      let started = performance.now()
      assert.equal(await s.acquire({ timeout: 150 }), false)
      assert.ok(performance.now() - started >= 140)
      started = performance.now()
      assert.equal(await s.acquire({ timeout: 0 }), false)
      await s.release()
      assert.equal(await s.value(), 1)
      assert.equal(s.held, 0)
    })

    it('is created by its first handle: later ones join with its value', async (t) => {
      const mp = await openContext(t, topology)
      await mp.semaphore('s', 3).acquire()
      assert.equal(await mp.semaphore('s', 10).value(), 2)
      assert.equal(await mp.semaphore('fresh', 5).value(), 5)
    })

    it('lets anyone release, raising the value past its start, as in Python', async (t) => {
      const mp = await openContext(t, topology)
      const s = mp.semaphore('s', 0)
      assert.equal(await s.acquire({ blocking: false }), false)
      await mp.semaphore('s', 0).release(2)
      assert.equal(await s.value(), 2)
      assert.equal(await s.acquire({ blocking: false }), true)
      assert.equal(await s.acquire({ blocking: false }), true)
      assert.equal(await s.acquire({ blocking: false }), false)
    })

    it('wakes a waiter by the release itself, one per permit', async (t) => {
      const mp = await openContext(t, topology)
      const s = mp.semaphore('s', 0, { ttl: 60_000 })
      const waiters = Array.from({ length: 3 }, () => mp.semaphore('s', 0))
      const taken = waiters.map((w) => w.acquire({ timeout: 20_000 }))
      const settled = [false, false, false]
      taken.forEach((p, i) => void p.then(() => (settled[i] = true)))
      await until(
        async () => (await mp.redis.zcard(mp.keys('semaphore', 's').part('waiters'))) === 3,
        'three waiters are listed',
      )
      const released = performance.now()
      await s.release(2)
      await until(() => settled.filter(Boolean).length === 2, 'two waiters got a permit')
      assert.ok(performance.now() - released < 5_000)
      assert.equal(await mp.redis.zcard(mp.keys('semaphore', 's').part('waiters')), 1)
      await s.release()
      assert.deepEqual(await Promise.all(taken), [true, true, true])
      assert.equal(await s.value(), 0)
    })

    it('never lets more than n holders in, across processes', async (t) => {
      const mp = await openContext(t, topology)
      const config = { topology, namespace: mp.options.namespace, permits: 2, rounds: 40 }
      const children = await runChildren(t, 'sync-semaphore-worker', Array(4).fill(config))
      const most = Math.max(...children.map((child) => JSON.parse(child.stdout).most))
      assert.ok(most >= 1 && most <= 2, `${most} holders were inside at once`)
      assert.equal(await mp.semaphore('s', 2).value(), 2)
    })

    it("a SIGKILLed holder's permit comes back when its lease ends", async (t) => {
      const mp = await openContext(t, topology)
      const child = startChild(t, 'sync-lock-killed', {
        topology,
        namespace: mp.options.namespace,
        kind: 'semaphore',
        ttl: 1500,
      })
      assert.equal(await mp.event('held').wait({ timeout: 20_000 }), true)
      const s = mp.semaphore('s', 1)
      assert.equal(await s.value(), 0)
      const acquired = s.acquire({ timeout: 20_000 })
      await mp.event('die').set()
      assert.equal((await child.exited).signal, 'SIGKILL')
      const diedAt = performance.now()
      assert.equal(await acquired, true)
      assert.ok(performance.now() - diedAt < 1_500 + 5_000)
      await s.release()
    })

    it('refuses release() of a permit whose lease ran out, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const s = mp.semaphore('s', 1)
      await s.acquire()
      // What a long pause of the holder's process looks like from Redis.
      const holders = mp.keys('semaphore', 's').part('holders')
      const [token] = await mp.redis.zrange(holders, 0, 0)
      await mp.redis.zadd(holders, 1, token ?? '')
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => s.release())
      assert.equal(s.held, 0)
      assert.equal(await s.value(), 1)
    })

    it('withPermit, hold() and `await using` give back what they took', async (t) => {
      const mp = await openContext(t, topology)
      const s = mp.semaphore('s', 2)
      assert.equal(await s.withPermit(async () => s.value()), 1)
      assert.equal(await s.value(), 2)
      {
        await using _ = await s.hold()
        await using scoped = mp.semaphore('s', 2)
        await scoped.acquire()
        assert.equal(await s.value(), 0)
      }
      assert.equal(await s.value(), 2)
      await mp.semaphore('s').acquire({ blocking: false })
      await mp.semaphore('s').acquire({ blocking: false })
      await assert.rejects(s.hold({ timeout: 50 }), hasCode('TIMEOUT'))
      await assert.rejects(
        s.withPermit(() => 1, { timeout: 50 }),
        hasCode('TIMEOUT'),
      )
    })

    it('refuses bad arguments before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      assert.throws(() => mp.semaphore('s', -1), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.semaphore('s', 1.5), hasCode('TYPE_ERROR'))
      assert.throws(() => mp.boundedSemaphore('s', '2' as never), hasCode('TYPE_ERROR'))
      assert.throws(() => mp.semaphore('s', 1, { ttl: -5 }), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.semaphore('bad name'), hasCode('INVALID_NAME'))
      const s = mp.semaphore('s', 1)
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => s.release(0))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => s.release(1.5))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => s.acquire({ timeout: -1 }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => s.acquire({ timeout: 'x' as never }))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () =>
        s.acquire({ blocking: false, timeout: 1 }),
      )
    })
  })

  describe(`bounded semaphore (${topology})`, () => {
    it('refuses a release past its initial value, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const s = mp.boundedSemaphore('s', 2)
      await s.acquire()
      await s.release()
      assert.equal(await s.value(), 2)
      await assertRefusedWithoutWrite(mp, 'SEMAPHORE_OVERFLOW', () => s.release())
      await s.acquire()
      await assertRefusedWithoutWrite(mp, 'SEMAPHORE_OVERFLOW', () => s.release(2))
      assert.equal(await s.value(), 1)
      await s.release()
      assert.equal(await s.value(), 2)
    })

    it('refuses a holder whose permit another process already gave back, as Python would', async (t) => {
      const mp = await openContext(t, topology)
      const holder = mp.boundedSemaphore('s', 1)
      await holder.acquire()
      await mp.boundedSemaphore('s', 1).release()
      assert.equal(await holder.value(), 1)
      await assert.rejects(holder.release(), hasCode('SEMAPHORE_OVERFLOW'))
      assert.equal(await holder.value(), 1, 'the value stays where it was')
      assert.equal(holder.held, 0)
      assert.equal(await holder.acquire({ blocking: false }), true)
      assert.equal(await holder.acquire({ blocking: false }), false)
    })
  })
}
