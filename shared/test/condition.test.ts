import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { Script } from '../src/redis/script.js'
import { runChildren, startChild } from './support/children.js'
import { hasCode } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

for (const topology of TOPOLOGIES) {
  describe(`condition (${topology})`, () => {
    it('refuses wait, notify and notifyAll without its lock, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const c = mp.condition('c')
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => c.wait({ timeout: 10 }))
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => c.notify())
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => c.notifyAll())
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () =>
        c.waitFor(() => false, { timeout: 10 }),
      )
      await mp.condition('c').acquire()
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => c.wait({ timeout: 10 }))
    })

    it('returns false after its timeout, holding the lock again', async (t) => {
      const mp = await openContext(t, topology)
      const c = mp.condition('c')
      await c.acquire()
      const started = performance.now()
      assert.equal(await c.wait({ timeout: 150 }), false)
      assert.ok(performance.now() - started >= 140)
      assert.equal(c.lock.heldLevels(), 1)
      assert.equal(await c.wait({ timeout: 0 }), false)
      const keys = mp.keys('condition', 'c')
      assert.equal(await mp.redis.exists(keys.part('waiters'), keys.part('deadlines')), 0)
      await c.release()
      assert.equal(await c.lock.locked(), false)
    })

    it('gives up the lock while waiting and takes it back before returning', async (t) => {
      const mp = await openContext(t, topology)
      const waiter = mp.condition('c')
      const notifier = mp.condition('c')
      await waiter.acquire()
      await waiter.acquire() // an rlock: every level is given up, and restored
      let returned = false
      const waited = waiter.wait({ timeout: 20_000 }).then((notified) => {
        returned = true
        return notified
      })
      assert.equal(await notifier.acquire({ timeout: 10_000 }), true)
      assert.equal(await notifier.notify(), 1)
      assert.equal(await notifier.notify(), 0, 'nobody else waits')
      await mp.redis.ping()
      assert.equal(returned, false, 'wait returned while the notifier held the lock')
      await notifier.release()
      assert.equal(await waited, true)
      assert.equal(waiter.lock.heldLevels(), 2)
      assert.equal(await notifier.acquire({ blocking: false }), false)
      await waiter.release()
      await waiter.release()
    })

    it('works with a lock of its own choosing', async (t) => {
      const mp = await openContext(t, topology)
      const guard = mp.lock('guard')
      const c = mp.condition('c', guard)
      assert.equal(c.lock, guard)
      const other = mp.condition('c', mp.lock('guard'))
      await c.acquire()
      const waited = c.wait({ timeout: 20_000 })
      await other.withLock(() => other.notifyAll())
      assert.equal(await waited, true)
      assert.equal(guard.held, true)
      await c.release()
      assert.equal(await guard.locked(), false)
    })

    it('waitFor checks its predicate first and after each notify', async (t) => {
      const mp = await openContext(t, topology)
      const c = mp.condition('c')
      const items = mp.list<number>('items')
      assert.equal(await c.waitFor(() => 'at once'), 'at once')
      await c.acquire()
      const ready = c.waitFor(async () => (await items.length()) >= 2, { timeout: 20_000 })
      const producer = mp.condition('c')
      for (const item of [1, 2]) {
        await producer.withLock(async () => {
          await items.append(item)
          await producer.notify()
        })
      }
      assert.equal(await ready, true)
      const started = performance.now()
      assert.equal(await c.waitFor(async () => (await items.length()) > 5, { timeout: 100 }), false)
      assert.ok(performance.now() - started >= 90)
      await c.release()
    })

    it('loses no wake-up when 6 consumers wait for 120 items notified one by one', async (t) => {
      const mp = await openContext(t, topology)
      const items = mp.list<number>('items')
      let consumed = 0
      const consumers = Array.from({ length: 6 }, async () => {
        const c = mp.condition('c')
        for (;;) {
          const item = await c.withLock(async () => {
            const ready = await c.waitFor(async () => (await items.length()) > 0, {
              timeout: 10_000,
            })
            if (!ready) throw new Error('a consumer stalled: a wake-up was lost')
            return items.pop(0)
          })
          if (item < 0) return
          consumed++
        }
      })
      const producer = mp.condition('c')
      for (let i = 0; i < 120; i++) {
        await producer.withLock(async () => {
          await items.append(i)
          await producer.notify()
        })
      }
      for (let i = 0; i < 6; i++) {
        await producer.withLock(async () => {
          await items.append(-1)
          await producer.notify()
        })
      }
      await Promise.all(consumers)
      assert.equal(consumed, 120)
    })

    it('a waiter notified between two blocks finds the wake-up when it lists itself again', async (t) => {
      // Waits longer than the longest block list themselves again; this is that step.
      const mp = await openContext(t, topology)
      const keys = mp.keys('condition', 'c')
      const listKeys = (id: string) => [
        keys.part('waiters'),
        keys.part('deadlines'),
        keys.part(`wake:${id}`),
      ]
      const list = new Script<[number, string]>('condition-wait')
      const [listed, arrival] = await list.run(mp.redis, listKeys('w1'), ['w1', '', 50, 2000])
      assert.equal(listed, 0)
      const c = mp.condition('c')
      await c.acquire()
      assert.equal(await c.notify(), 1)
      await c.release()
      // Its block ended before it took the wake-up: listing again takes it instead.
      assert.deepEqual(await list.run(mp.redis, listKeys('w1'), ['w1', arrival, 50, 2000]), [1, ''])
      assert.equal(await mp.redis.exists(keys.part('wake:w1')), 0)
      // Not notified, and dropped for being past its deadline: listed again in its old place.
      const [, second] = await list.run(mp.redis, listKeys('w2'), ['w2', '', 50, 2000])
      const [, third] = await list.run(mp.redis, listKeys('w3'), ['w3', '', 50, 2000])
      await mp.redis.zrem(keys.part('waiters'), 'w2')
      assert.deepEqual(await list.run(mp.redis, listKeys('w2'), ['w2', second, 50, 2000]), [
        0,
        second,
      ])
      assert.deepEqual(await mp.redis.zrange(keys.part('waiters'), 0, -1), ['w2', 'w3'])
      assert.ok(BigInt(second) < BigInt(third))
    })

    it('refuses bad arguments before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      const c = mp.condition('c')
      await c.acquire()
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => c.notify(-1))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => c.notify(1.5))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => c.wait({ timeout: -1 }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => c.wait({ timeout: 'x' as never }))
      await assert.rejects(
        c.waitFor(() => false, { timeout: -1 }),
        hasCode('VALUE_ERROR'),
      )
      assert.equal(await c.notify(0), 0)
      assert.throws(() => mp.condition('bad name'), hasCode('INVALID_NAME'))
      await c.release()
    })

    describe('across processes', () => {
      type Waited = { notified: boolean; levels: number }
      const startWaiters = (t: TestContext, namespace: string, count: number) =>
        Array.from({ length: count }, () =>
          startChild(t, 'sync-condition-waiter', { topology, namespace, timeout: 20_000 }),
        )

      it('notifyAll wakes every one of 5 waiting processes', async (t) => {
        const mp = await openContext(t, topology)
        const waitersKey = mp.keys('condition', 'c').part('waiters')
        const children = startWaiters(t, mp.options.namespace, 5)
        await until(async () => (await mp.redis.zcard(waitersKey)) === 5, '5 processes wait')
        const c = mp.condition('c')
        assert.equal(await c.withLock(() => c.notifyAll()), 5)
        for (const child of children) {
          assert.deepEqual(await child.result<Waited>(), { notified: true, levels: 1 })
        }
      })

      it('notify(2) wakes exactly 2 of 5 waiting processes', async (t) => {
        const mp = await openContext(t, topology)
        const keys = mp.keys('condition', 'c')
        const children = startWaiters(t, mp.options.namespace, 5)
        await until(async () => (await mp.redis.zcard(keys.part('waiters'))) === 5, '5 wait')
        const c = mp.condition('c')
        assert.equal(await c.withLock(() => c.notify(2)), 2)
        await until(() => children.filter((child) => child.hasExited()).length === 2, '2 exit')
        // The other three are still listed, and no wake-up is waiting for them.
        assert.equal(await mp.redis.zcard(keys.part('waiters')), 3)
        for (const child of children.filter((child) => !child.hasExited())) {
          assert.equal(child.hasExited(), false)
        }
        const woken = await Promise.all(
          children.filter((child) => child.hasExited()).map((child) => child.result<Waited>()),
        )
        assert.deepEqual(woken, [
          { notified: true, levels: 1 },
          { notified: true, levels: 1 },
        ])
        assert.equal(await c.withLock(() => c.notifyAll()), 3)
        for (const child of children) assert.equal((await child.result<Waited>()).notified, true)
      })

      it('loses no wake-up over 150 rounds of ping-pong between two processes', async (t) => {
        const mp = await openContext(t, topology)
        const player = { topology, namespace: mp.options.namespace, rounds: 150 }
        const players = [0, 1].map((me) => ({ ...player, me }))
        await runChildren(t, 'sync-condition-pingpong', players, 90_000)
        assert.equal(await mp.value('turn').get(), 0)
      })
    })
  })
}
