import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Full, isRedprocError, type Json } from '../src/index.js'
import {
  connectionName,
  openNamedContext,
  startChild,
  waitForBlocked,
} from './children/queue-support.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

interface Consumed {
  items: Json[]
  ended: string | null
  elapsedMs: number
}

interface Produced {
  put: number
  errors: Record<string, number>
}

const isCode = (code: string) => (error: unknown) => {
  assert.ok(isRedprocError(error, code as never), `expected ${code}, got ${String(error)}`)
  return true
}

/** Runs `action`, returning how long it took to fail with `code`, in ms. */
async function msUntilRefused(code: string, action: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await assert.rejects(action, isCode(code))
  return performance.now() - started
}

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
      assert.equal(await mp.redis.hget(meta, 'waiting'), '0')
      await assert.rejects(q.putMany([2, 3], { timeout: 50 }), /0 of 2 items went in/)
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:queue:q}`, 0, -1), ['1'])
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
      const consumer = startChild<Consumed>('queue-consumer', {
        topology,
        namespace: mp.options.namespace,
        connectionName: connectionName(),
        name: 'q',
        count: 1,
      })
      assert.deepEqual((await consumer.result).items, [1])
      await put
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:queue:q}`, 0, -1), [
        '2',
        '3',
      ])
    })

    it('keeps its bound under concurrent producers in several processes', async (t) => {
      const mp = await openContext(t, topology)
      const config = { topology, namespace: mp.options.namespace, name: 'q', maxsize: 5 }
      // Racing putNowait: exactly maxsize go in, the rest are refused.
      const racers = [0, 100, 200].map((from) =>
        startChild<Produced>('queue-producer', {
          ...config,
          connectionName: connectionName(),
          from,
          count: 20,
          nowait: true,
        }),
      )
      const raced = await Promise.all(racers.map((r) => r.result))
      assert.equal(
        raced.reduce((sum, r) => sum + r.put, 0),
        5,
      )
      assert.equal(
        raced.reduce((sum, r) => sum + (r.errors.FULL ?? 0), 0),
        55,
      )
      assert.equal(await mp.redis.llen(`rp:{${mp.options.namespace}:queue:q}`), 5)
      for (let i = 0; i < 5; i++) await mp.queue('q').get()

      // Blocking producers: all 600 items go through a queue of 5, never above it.
      const producers = [0, 1000, 2000].map((from) =>
        startChild<Produced>('queue-producer', {
          ...config,
          connectionName: connectionName(),
          from,
          count: 200,
        }),
      )
      const q = mp.queue<number>('q')
      const got: number[] = []
      let most = 0
      while (got.length < 600) {
        most = Math.max(most, await q.qsize())
        got.push(await q.get({ timeout: 10_000 }))
      }
      for (const producer of producers)
        assert.deepEqual(await producer.result, { put: 200, errors: {} })
      assert.ok(most <= 5, `the queue held ${most} items`)
      assert.equal(new Set(got).size, 600)
      assert.equal(await mp.redis.hget(`rp:{${mp.options.namespace}:queue:q}:meta`, 'waiting'), '0')
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
      const child = startChild<Produced>('queue-producer', {
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
      for (const put of puts) await assert.rejects(put, isCode('SHUTDOWN'))
      assert.deepEqual(await child.result, { put: 0, errors: { SHUTDOWN: 1 } })
      assert.equal(await q.get(), 0)
    })
  })
}
