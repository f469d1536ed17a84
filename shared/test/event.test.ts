import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRedprocError } from '../src/index.js'
import { runChildren, startChild } from './support/children.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

for (const topology of TOPOLOGIES) {
  describe(`event (${topology})`, () => {
    it('is set, cleared, and readable with redis-cli', async (t) => {
      const mp = await openContext(t, topology)
      const e = mp.event('e')
      assert.equal(await e.isSet(), false)
      await e.set()
      assert.equal(await mp.event('e').isSet(), true)
      assert.equal(await mp.redis.get(mp.keys('event', 'e').base), '1')
      await e.set()
      await e.clear()
      assert.equal(await e.isSet(), false)
      await e.clear()
      assert.equal(await e.isSet(), false)
    })

    it('wait returns true at once when set, false when its timeout ran out', async (t) => {
      const mp = await openContext(t, topology)
      const e = mp.event('e')
      let started = performance.now()
      assert.equal(await e.wait({ timeout: 150 }), false)
      assert.ok(performance.now() - started >= 140)
      started = performance.now()
      assert.equal(await e.wait({ timeout: 0 }), false)
      assert.equal(await mp.redis.exists(mp.keys('event', 'e').part('waiters')), 0)
      await e.set()
      assert.equal(await e.wait(), true)
      assert.equal(await e.wait({ timeout: 0 }), true)
    })

    it('set wakes every waiter, in this process and others', async (t) => {
      const mp = await openContext(t, topology)
      const waitersKey = mp.keys('event', 'e').part('waiters')
      const children = Array.from({ length: 3 }, () =>
        startChild(t, 'sync-event-waiter', {
          topology,
          namespace: mp.options.namespace,
          timeout: 20_000,
        }),
      )
      const local = Array.from({ length: 10 }, () => mp.event('e').wait({ timeout: 20_000 }))
      await until(async () => (await mp.redis.zcard(waitersKey)) === 13, '13 waiters are listed')
      const started = performance.now()
      await mp.event('e').set()
      assert.deepEqual(await Promise.all(local), Array(10).fill(true))
      assert.ok(performance.now() - started < 5_000)
      for (const child of children) assert.deepEqual(await child.result(), { set: true })
    })

    it('wakes listed waiters even when cleared right after set', async (t) => {
      const mp = await openContext(t, topology)
      const waiters = Array.from({ length: 5 }, () => mp.event('e').wait({ timeout: 20_000 }))
      await until(
        async () => (await mp.redis.zcard(mp.keys('event', 'e').part('waiters'))) === 5,
        '5 waiters are listed',
      )
      const e = mp.event('e')
      await e.set()
      await e.clear()
      assert.deepEqual(await Promise.all(waiters), Array(5).fill(true))
      assert.equal(await e.isSet(), false)
    })

    it('loses no wake-up over 200 rounds of ping-pong between two processes', async (t) => {
      const mp = await openContext(t, topology)
      await mp.event('ping').set()
      const player = { topology, namespace: mp.options.namespace, rounds: 200 }
      const players = [0, 1].map((me) => ({ ...player, me }))
      await runChildren(t, 'sync-event-pingpong', players, 90_000)
      assert.equal(await mp.event('ping').isSet(), true)
      assert.equal(await mp.event('pong').isSet(), false)
    })

    it('refuses bad timeouts before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      const e = mp.event('e')
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => e.wait({ timeout: -5 }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => e.wait({ timeout: Number.NaN }))
      assert.throws(
        () => mp.event('bad name'),
        (error) => isRedprocError(error, 'INVALID_NAME'),
      )
    })
  })
}
