import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Full } from '../src/index.js'
import type { Consumed } from './children/queue-consumer.js'
import type { Produced } from './children/queue-producer.js'
import { connectionName, openNamedContext, waitForBlocked } from './support/blocked-connections.js'
import { startChild } from './support/children.js'
import { hasCode, msUntilRefused } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

for (const topology of TOPOLOGIES) {
  describe(`bounded queue (${topology})`, () => {
    it('a bounded queue refuses putNowait when full, writing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q', { maxsize: 2 })
      await q.putNowait(1)
      await q.put(2)
      await assertRefusedWithoutWrite(mp, 'FULL', () => q.putNowait(3))
      await assert.rejects(q.putNowait(3), (error) => error instanceof Full)
      const elapsed = await msUntilRefused('FULL', () => q.put(3, { timeout: 0 }))
      assert.ok(elapsed < 150)
      assert.deepEqual([await q.get(), await q.get()], [1, 2])
    })

    it('put on a full queue fails with FULL after its timeout, and no longer counts as waiting', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q', { maxsize: 1 })
      await q.put(1)
      const elapsed = await msUntilRefused('FULL', () => q.put(2, { timeout: 200 }))
      assert.ok(elapsed >= 199 && elapsed < 1200, `FULL after ${elapsed} ms`)
      const meta = `rp:{${mp.options.namespace}:queue:q}:meta`
      assert.equal(await mp.redis.hget(meta, 'waiting'), null, 'no putter waits: no count')
      await assert.rejects(q.putMany([2, 3], { timeout: 50 }), /0 of 2 items went in/)
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:queue:q}:items`, 0, -1), [
        '1',
      ])
    })

    it('a put blocked on a full queue goes in once a get in another process makes room', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const q = named.queue<number>('q', { maxsize: 2 })
      await q.putMany([1, 2])
      let done = false
      const put = q.put(3).then(() => {
        done = true
      })
      await waitForBlocked(mp, name)
      assert.equal(done, false)
      const consumer = startChild(t, 'queue-consumer', {
        topology,
        namespace: mp.options.namespace,
        name: 'q',
        count: 1,
      })
      assert.deepEqual((await consumer.result<Consumed>()).items, [1])
      await put
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:queue:q}:items`, 0, -1), [
        '2',
        '3',
      ])
    })

    it('keeps its bound under concurrent producers in several processes', async (t) => {
      const mp = await openContext(t, topology)
      const config = { topology, namespace: mp.options.namespace, name: 'q', maxsize: 5 }
      // Racing putNowait: exactly maxsize go in, the rest are refused.
      const racers = [0, 100, 200].map((from) =>
        startChild(t, 'queue-producer', {
          ...config,
          from,
          count: 20,
          nowait: true,
        }),
      )
      const raced = await Promise.all(racers.map((r) => r.result<Produced>()))
      assert.equal(
        raced.reduce((sum, r) => sum + r.put, 0),
        5,
      )
      assert.equal(
        raced.reduce((sum, r) => sum + (r.errors.FULL ?? 0), 0),
        55,
      )
      assert.equal(await mp.redis.llen(`rp:{${mp.options.namespace}:queue:q}:items`), 5)
      for (let i = 0; i < 5; i++) await mp.queue('q').get()

      // Blocking producers: all 600 items go through a queue of 5, never above it.
      const producers = [0, 1000, 2000].map((from) =>
        startChild(t, 'queue-producer', {
          ...config,
          from,
          count: 200,
        }),
      )
      const q = mp.queue<number>('q')
      const got: number[] = []
      let most = 0
      while (got.length < 600) {
        most = Math.max(most, await q.qsize())
        // Long enough for three producers to start on a loaded machine;
        // a deadlock still fails.
        got.push(await q.get({ timeout: 60_000 }))
      }
      for (const producer of producers)
        assert.deepEqual(await producer.result<Produced>(), { put: 200, errors: {} })
      assert.ok(most <= 5, `the queue held ${most} items`)
      assert.equal(new Set(got).size, 600)
      assert.equal(
        await mp.redis.hget(`rp:{${mp.options.namespace}:queue:q}:meta`, 'waiting'),
        null,
      )
    })

    it('putMany into a bounded queue goes in as room appears, in order', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q', { maxsize: 3 })
      const items = Array.from({ length: 20 }, (_, i) => i)
      const putting = q.putMany(items)
      const got: number[] = []
      while (got.length < 20) got.push(await q.get())
      await putting
      assert.deepEqual(got, items)
    })

    it('a first bounded put moves the items under its bound; plain handles follow', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const key = `rp:{${mp.options.namespace}:queue:q}`
      const plain = named.queue<number>('q')
      const getter = mp.queue<number>('q')
      await plain.putMany([0, 1, 2])
      await plain.put(3)
      // Until then, plain pushes and pops on the list at the main key.
      assert.equal(await getter.get(), 0)
      assert.deepEqual(await mp.redis.lrange(key, 0, -1), ['1', '2', '3'])
      await mp.queue<number>('q', { maxsize: 4 }).put(4)
      assert.equal(await mp.redis.get(key), 'bounded')
      assert.deepEqual(await mp.redis.lrange(`${key}:items`, 0, -1), ['1', '2', '3', '4'])
      // The plain handle's push fails (WRONGTYPE) and its puts keep to the bound.
      await assert.rejects(plain.putNowait(5), (error) => error instanceof Full)
      assert.equal(await plain.full(), true)
      const blocked = plain.put(5)
      await waitForBlocked(mp, name)
      // The getter's pop leaves the main key, and its get makes room for the put.
      assert.equal(await getter.get(), 1)
      await blocked
      assert.deepEqual(await mp.redis.lrange(`${key}:items`, 0, -1), ['2', '3', '4', '5'])
      assert.deepEqual(
        [await getter.get(), await getter.getNowait(), await plain.get(), await plain.get()],
        [2, 3, 4, 5],
      )
    })

    it('a handle without maxsize keeps to the bound a bounded put recorded', async (t) => {
      const mp = await openContext(t, topology)
      await mp.queue('q', { maxsize: 1 }).put(1)
      const plain = mp.queue('q')
      assert.equal(await plain.full(), true)
      await assert.rejects(plain.putNowait(2), (error) => error instanceof Full)
      await assert.rejects(mp.queue('q', { maxsize: 10 }).putNowait(2), /full/)
    })

    it('shutdown wakes putters blocked on a full queue, which fail with SHUTDOWN', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const q = named.queue<number>('q', { maxsize: 1 })
      await q.put(0)
      const puts = [q.put(1), q.put(2, { timeout: 30_000 })]
      const childName = connectionName()
      const child = startChild(t, 'queue-producer', {
        topology,
        namespace: mp.options.namespace,
        connectionName: childName,
        name: 'q',
        from: 10,
        count: 1,
        maxsize: 1,
      })
      await waitForBlocked(mp, name)
      await waitForBlocked(mp, childName)
      await mp.queue('q').shutdown()
      for (const put of puts) await assert.rejects(put, hasCode('SHUTDOWN'))
      assert.deepEqual(await child.result<Produced>(), { put: 0, errors: { SHUTDOWN: 1 } })
      assert.equal(await q.get(), 0)
    })
  })
}
