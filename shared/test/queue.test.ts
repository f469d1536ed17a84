import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { describe, it } from 'node:test'
import { type Context, Empty, type Json, ShutDown, ValueError } from '../src/index.js'
import type { Consumed } from './children/queue-consumer.js'
import type { Produced } from './children/queue-producer.js'
import {
  blockedCount,
  connectionName,
  openNamedContext,
  waitForBlocked,
} from './support/blocked-connections.js'
import { startChild } from './support/children.js'
import { hasCode, msUntilRefused } from './support/error-codes.js'
import { monitor } from './support/monitor.js'
import { masterNodes, openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

/**
 * The commands clients send to Redis on `key` and the keys beside it (its
 * hash tag), as Redis's MONITOR reports them, from now until `stop` (which
 * waits until the feed has caught up). Commands run inside scripts are left out.
 */
async function watchCommands(t: TestContext, mp: Context, key: string) {
  const seen: string[][] = []
  const tag = key.slice(key.indexOf('{'), key.indexOf('}') + 1)
  const stops = await Promise.all(
    masterNodes(mp).map((node) =>
      monitor(node.options.host ?? '127.0.0.1', node.options.port ?? 6379, (args, source) => {
        if (source !== 'lua' && args.slice(1).some((arg) => arg.includes(tag))) seen.push(args)
      }),
    ),
  )
  t.after(() => {
    for (const stop of stops) stop()
  })
  return {
    async stop(): Promise<string[][]> {
      const marker = `${key}:watched`
      await mp.redis.exists(marker)
      await until(async () => seen.some((args) => args[1] === marker), 'MONITOR caught up')
      return seen.filter((args) => args[1] !== marker)
    },
  }
}

for (const topology of TOPOLOGIES) {
  describe(`queue (${topology})`, () => {
    it('gets items in the order they were put, as JSON in a Redis list', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue('q')
      await q.put({ task: 'double', arg: 0.5 })
      await q.put(null)
      await q.putNowait([1, 'two'])
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:queue:q}`, 0, -1), [
        '{"task":"double","arg":0.5}',
        'null',
        '[1,"two"]',
      ])
      assert.deepEqual(await q.get(), { task: 'double', arg: 0.5 })
      assert.equal(await q.getNowait(), null)
      assert.deepEqual(await q.get({ timeout: 1000 }), [1, 'two'])
    })

    it('an unbounded queue costs Redis one RPUSH per batch of puts and one BLMPOP per batch of gets', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      const key = `rp:{${mp.options.namespace}:queue:q}`
      const watch = await watchCommands(t, mp, key)
      // 50 puts made at once: the first goes alone, the others together behind it.
      await Promise.all(Array.from({ length: 50 }, (_, i) => q.put(i)))
      // 25 gets waiting at once share one pop.
      const got = await Promise.all(Array.from({ length: 25 }, () => q.get()))
      assert.deepEqual(
        got,
        Array.from({ length: 25 }, (_, i) => i),
      )
      const commands = (await watch.stop()).map((args) => args[0]?.toLowerCase())
      assert.deepEqual(
        commands.filter((name) => name !== 'rpush' && name !== 'blmpop'),
        [],
        'nothing but pushes and pops',
      )
      const pushes = commands.filter((name) => name === 'rpush').length
      assert.ok(pushes <= 2, `${pushes} RPUSHes for 50 puts`)
      assert.equal(commands.filter((name) => name === 'blmpop').length, 1)
      assert.deepEqual(await q.getNowait(), 25)
    })

    it('puts not yet sent go out before a later command of the same process', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<string>('q')
      const other = mp.queue<string>('q')
      // The first put is on its way; the second waits for it to return.
      const puts = [q.put('a'), q.put('b')]
      assert.equal(await other.qsize(), 2)
      const more = [q.put('c'), q.put('d')]
      assert.equal(await other.getNowait(), 'a')
      const last = [q.put('e'), q.put('f')]
      await other.shutdown()
      await Promise.all([...puts, ...more, ...last])
      const rest = []
      for await (const item of other) rest.push(item)
      assert.deepEqual(rest, ['b', 'c', 'd', 'e', 'f'])
    })

    it('putMany appends every item in order, in chunks past what one script call takes', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      const items = Array.from({ length: 2500 }, (_, i) => i)
      await q.putMany(items)
      await q.putMany([])
      assert.equal(await q.qsize(), 2500)
      const got = await Promise.all(items.map(() => q.get()))
      assert.deepEqual(got, items)
    })

    it('refuses items that are not plain JSON before writing anything', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<Json>('q')
      await q.put(1)
      const bad = [new Date(), undefined, Number.NaN, () => 1] as unknown as Json[]
      for (const item of bad) {
        await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => q.put(item))
        await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => q.putNowait(item))
      }
      // putMany checks them all first: the good items before the bad one stay out too.
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () =>
        q.putMany([2, 3, new Map() as unknown as Json, 4]),
      )
      assert.equal(await q.qsize(), 1)
    })

    it('getNowait and get({ timeout: 0 }) fail with EMPTY at once on an empty queue', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue('q')
      await assert.rejects(q.getNowait(), (error) => error instanceof Empty)
      assert.ok((await msUntilRefused('EMPTY', () => q.get({ timeout: 0 }))) < 150)
    })

    it('get({ timeout: 200 }) on an empty queue fails with EMPTY after about 200 ms', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue('q')
      for (let i = 0; i < 3; i++) {
        const elapsed = await msUntilRefused('EMPTY', () => q.get({ timeout: 200 }))
        assert.ok(elapsed >= 199, `EMPTY came early, after ${elapsed} ms`)
        assert.ok(elapsed < 1200, `EMPTY came late, after ${elapsed} ms`)
      }
    })

    it('a get that joins while another blocks keeps its own, shorter timeout', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      const patient = q.get({ timeout: 20_000 })
      const elapsed = await msUntilRefused('EMPTY', () => q.get({ timeout: 200 }))
      assert.ok(elapsed >= 199 && elapsed < 1200, `EMPTY after ${elapsed} ms`)
      await q.put(7)
      assert.equal(await patient, 7)
    })

    it('concurrent gets in one process each take a different item, first come first served', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      const gets = Array.from({ length: 50 }, () => q.get())
      await q.putMany(Array.from({ length: 50 }, (_, i) => i))
      assert.deepEqual(
        await Promise.all(gets),
        Array.from({ length: 50 }, (_, i) => i),
      )
      assert.equal(await q.qsize(), 0)
    })

    it('a get made the moment the previous one resolves is served too', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      await q.putMany(Array.from({ length: 100 }, (_, i) => i))
      const got: number[] = []
      await new Promise<void>((resolve, reject) => {
        const next = (): void => {
          if (got.length === 100) {
            resolve()
            return
          }
          q.get({ timeout: 5000 }).then((item) => {
            got.push(item)
            next()
          }, reject)
        }
        next()
      })
      assert.deepEqual(
        got,
        Array.from({ length: 100 }, (_, i) => i),
      )
    })

    it('a get blocked in a child process takes what the parent puts', async (t) => {
      const mp = await openContext(t, topology)
      const name = connectionName()
      const consumer = startChild(t, 'queue-consumer', {
        topology,
        namespace: mp.options.namespace,
        connectionName: name,
        name: 'q',
        count: 2,
      })
      await waitForBlocked(mp, name)
      await mp.queue('q').putMany(['a', { b: [1] }])
      assert.deepEqual((await consumer.result<Consumed>()).items, ['a', { b: [1] }])
    })

    it('2 producer and 3 consumer processes move 2,000 items, each got exactly once', async (t) => {
      const mp = await openContext(t, topology)
      const config = { topology, namespace: mp.options.namespace, name: 'q' }
      const producers = [0, 1000].map((from) =>
        startChild(t, 'queue-producer', {
          ...config,
          from,
          count: 1000,
        }),
      )
      const consumers = [0, 1, 2].map((i) =>
        startChild(t, 'queue-consumer', {
          ...config,
          iterate: i === 0,
          concurrency: i === 2 ? 8 : 1,
        }),
      )
      for (const producer of producers)
        assert.deepEqual(await producer.result<Produced>(), { put: 1000, errors: {} })
      await mp.queue('q').shutdown()
      const got = (await Promise.all(consumers.map((c) => c.result<Consumed>()))).map(
        (r) => r.items,
      )
      const all = got.flat() as number[]
      assert.equal(all.length, 2000)
      assert.deepEqual(
        [...all].sort((a, b) => a - b),
        Array.from({ length: 2000 }, (_, i) => i),
      )
      // Each producer's items reach each consumer in the order they were put.
      for (const items of got.slice(0, 2) as number[][]) {
        for (const low of [true, false]) {
          const mine = items.filter((n) => n < 1000 === low)
          assert.deepEqual(
            mine,
            [...mine].sort((a, b) => a - b),
          )
        }
      }
    })

    it('qsize, empty and full follow the items', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue('q', { maxsize: 2 })
      assert.equal(await q.qsize(), 0)
      assert.equal(await q.empty(), true)
      assert.equal(await q.full(), false)
      await q.put(1)
      assert.equal(await q.empty(), false)
      assert.equal(await q.full(), false)
      await q.put(2)
      assert.equal(await q.qsize(), 2)
      assert.equal(await q.full(), true)
      assert.equal(await mp.queue('unbounded').full(), false)
      await q.shutdown()
      assert.equal(await q.qsize(), 2, 'the shutdown token is not an item')
      await q.get()
      await q.get()
      assert.equal(await q.qsize(), 0)
      assert.equal(await q.empty(), true)
    })

    it('shutdown: puts fail, gets drain the items, then fail with SHUTDOWN', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      await q.putMany([1, 2])
      await q.shutdown()
      await assertRefusedWithoutWrite(mp, 'SHUTDOWN', () => q.put(3))
      await assertRefusedWithoutWrite(mp, 'SHUTDOWN', () => q.putNowait(3))
      await assertRefusedWithoutWrite(mp, 'SHUTDOWN', () => q.putMany([3, 4]))
      await assert.rejects(q.put(3), (error) => error instanceof ShutDown)
      assert.equal(await q.get(), 1)
      assert.equal(await q.getNowait(), 2)
      await assert.rejects(q.get(), (error) => error instanceof ShutDown)
      await assert.rejects(q.get({ timeout: 5000 }), hasCode('SHUTDOWN'))
      await assert.rejects(q.getNowait(), (error) => error instanceof ShutDown)
      await q.shutdown()
      await assert.rejects(mp.queue('q').getNowait(), hasCode('SHUTDOWN'))
    })

    it('shutdown({ immediate: true }) drops the items at once', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      await q.putMany([1, 2, 3])
      await q.shutdown()
      assert.equal(await q.get(), 1)
      await q.shutdown({ immediate: true })
      assert.equal(await q.qsize(), 0)
      await assert.rejects(q.get(), hasCode('SHUTDOWN'))
      await assert.rejects(q.getNowait(), hasCode('SHUTDOWN'))
    })

    it('shutdown wakes getters blocked in this and in other processes', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const local = named.queue('q')
      const localGets = [local.get(), local.get({ timeout: 30_000 })]
      const childName = connectionName()
      const children = [0, 1].map(() =>
        startChild(t, 'queue-consumer', {
          topology,
          namespace: mp.options.namespace,
          connectionName: childName,
          name: 'q',
        }),
      )
      await waitForBlocked(mp, name)
      await waitForBlocked(mp, childName, 2)
      const started = performance.now()
      await mp.queue('q').shutdown()
      for (const get of localGets) await assert.rejects(get, hasCode('SHUTDOWN'))
      for (const child of children) assert.equal((await child.result<Consumed>()).ended, 'SHUTDOWN')
      assert.ok(performance.now() - started < 5000)
      // The token stays for later getters, and only one of it.
      await assert.rejects(local.get(), hasCode('SHUTDOWN'))
      assert.equal(await mp.redis.llen(`rp:{${mp.options.namespace}:queue:q}:items`), 1)
    })

    it('for await yields every item, then ends once the queue is shut down and drained', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      await q.putMany([1, 2, 3])
      const seen: number[] = []
      const loop = (async () => {
        for await (const item of q) {
          seen.push(item)
          if (item === 3) await q.shutdown()
        }
      })()
      await loop
      assert.deepEqual(seen, [1, 2, 3])
    })

    it('close ends this handle only: its waits fail, the items stay for other handles', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q')
      const other = mp.queue<number>('q')
      const waiting = q.get()
      const alsoWaiting = other.get({ timeout: 30_000 })
      await q.close()
      await q.close()
      await assert.rejects(waiting, (error) => error instanceof ValueError)
      for (const call of [
        () => q.put(1),
        () => q.get(),
        () => q.getNowait(),
        () => q.qsize(),
        () => q.shutdown(),
      ]) {
        await assert.rejects(call(), hasCode('VALUE_ERROR'))
      }
      await other.put(5)
      assert.equal(await alsoWaiting, 5)
      await other.put(6)
      assert.equal(await other.get(), 6)
    })

    it('an abandoned blocking get gives back what it took, so nothing is lost', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const q = named.queue<number>('q')
      const waiting = q.get()
      await waitForBlocked(mp, name)
      await q.close()
      await assert.rejects(waiting, hasCode('VALUE_ERROR'))
      await until(async () => (await blockedCount(mp, name)) === 0, 'the pop is ended')
      await mp.queue('q').put(1)
      assert.equal(await mp.queue('q').get({ timeout: 5000 }), 1)
    })

    it('closing the context ends blocked gets and puts, and closes promptly', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      await named.queue('full', { maxsize: 1 }).put(1)
      const get = assert.rejects(named.queue('q').get(), hasCode('CONNECTION'))
      const put = assert.rejects(named.queue('full').put(2), hasCode('CONNECTION'))
      await waitForBlocked(mp, name, 2)
      const started = performance.now()
      await named.close()
      assert.ok(performance.now() - started < 3000)
      await get
      await put
      assert.equal(await blockedCount(mp, name), 0)
      // Later calls fail too, without opening a connection that would keep the process alive.
      await assert.rejects(named.queue('q').get(), hasCode('CONNECTION'))
      await assert.rejects(named.queue('full').put(2), hasCode('CONNECTION'))
    })

    it('refuses bad arguments with clear codes before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      assert.throws(() => mp.queue('no spaces'), hasCode('INVALID_NAME'))
      assert.throws(() => mp.queue('q', { maxsize: 1.5 }), hasCode('TYPE_ERROR'))
      const q = mp.queue('q')
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => q.get({ timeout: -1 }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () =>
        q.get({ timeout: '100' as unknown as number }),
      )
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => q.put(1, { timeout: -5 }))
    })
  })
}
