import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Queue } from 'bullmq'
import { Cluster } from 'ioredis'
import {
  type Context,
  Empty,
  Full,
  isRedprocError,
  type Json,
  ShutDown,
  Timeout,
} from '../src/index.js'
import { isAbortedBy } from './support/abort.js'
import { blockedCount } from './support/blocked-connections.js'
import { hasCode } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite, namespaceKeys } from './support/snapshot.js'
import { until } from './support/until.js'

/** Whether `promise` has settled by the time pending I/O callbacks ran. */
/** SCRIPT FLUSH on every master: the next call of each script is answered NOSCRIPT. */
async function flushScripts(mp: Context): Promise<void> {
  const nodes = mp.redis instanceof Cluster ? mp.redis.nodes('master') : [mp.redis]
  await Promise.all(nodes.map((node) => node.script('FLUSH')))
}

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(
    () => {
      done = true
    },
    () => {
      done = true
    },
  )
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

for (const topology of TOPOLOGIES) {
  describe(`joinable queue (${topology})`, () => {
    it('gets items in the order they were put, a null poison pill included', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Json>('jobs')
      await q.put(1)
      await q.put({ two: [2] })
      await q.put(null)
      await q.putMany(['three', 4])
      const got = []
      for (let i = 0; i < 5; i++) got.push(await q.get())
      assert.deepEqual(got, [1, { two: [2] }, null, 'three', 4])
      for (let i = 0; i < 5; i++) q.taskDone()
      await q.join({ timeout: 5000 })
    })

    it('join resolves after the last taskDone, on a handle that never put', async (t) => {
      const mp = await openContext(t, topology)
      const producer = mp.joinableQueue<number>('jobs')
      const consumer = mp.joinableQueue<number>('jobs')
      const joiner = mp.joinableQueue<number>('jobs')
      await producer.putMany([1, 2, 3])
      const joined = joiner.join()
      for (let i = 0; i < 3; i++) await consumer.get()
      consumer.taskDone()
      consumer.taskDone()
      await until(async () => (await joiner.unfinishedTasks()) === 1, 'one task is unfinished')
      assert.equal(await settled(joined), false, 'join returned with an item unfinished')
      const started = performance.now()
      consumer.taskDone()
      await joined
      assert.ok(performance.now() - started < 1000, 'join was not woken by the last ack')
      assert.equal(await joiner.unfinishedTasks(), 0)
    })

    it('join returns at once with nothing unfinished, and fails with TIMEOUT otherwise', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs')
      await q.join({ timeout: 1000 })
      await q.put(1)
      const started = performance.now()
      await assert.rejects(q.join({ timeout: 150 }), (error) => error instanceof Timeout)
      assert.ok(performance.now() - started >= 150)
    })

    it('taskDone past the items this handle got fails with TOO_MANY_TASK_DONE', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.joinableQueue<number>('jobs')
      const b = mp.joinableQueue<number>('jobs')
      assert.throws(() => a.taskDone(), hasCode('TOO_MANY_TASK_DONE'))
      await a.put(1)
      await a.get()
      assert.throws(() => b.taskDone(), hasCode('TOO_MANY_TASK_DONE'))
      a.taskDone()
      assert.throws(() => a.taskDone(), hasCode('TOO_MANY_TASK_DONE'))
      assert.throws(() => a.taskDone(), /taskDone\(\) called more times than items/)
      await a.join({ timeout: 5000 })
    })

    it('taskDone acknowledges the oldest item the handle got', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs', { prefetch: 1 })
      const bull = new Queue(q.bullmq.name, { connection: mp.redis, prefix: q.bullmq.prefix })
      t.after(() => bull.close())
      await q.putMany([10, 20])
      const [first, second] = await bull.getWaiting()
      await q.get()
      await q.get()
      q.taskDone()
      await q.unfinishedTasks()
      assert.equal(await bull.getJob(first?.id as string), undefined)
      assert.deepEqual((await bull.getJob(second?.id as string))?.data, 20)
      q.taskDone()
    })

    it('get({ timeout: 200 }) on an empty queue fails with EMPTY after about 200 ms', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue('jobs')
      const started = performance.now()
      await assert.rejects(q.get({ timeout: 200 }), (error) => error instanceof Empty)
      const elapsed = performance.now() - started
      assert.ok(elapsed >= 200, `failed early, after ${elapsed} ms`)
      assert.ok(elapsed < 1200, `failed late, after ${elapsed} ms`)
      await assert.rejects(q.getNowait(), (error) => error instanceof Empty)
      await assert.rejects(q.get({ timeout: 0 }), (error) => error instanceof Empty)
      await q.put('x')
      assert.equal(await q.get({ timeout: 0 }), 'x')
      q.taskDone()
    })

    it('a blocked get is woken by a put from another handle', async (t) => {
      const mp = await openContext(t, topology)
      const consumer = mp.joinableQueue<string>('jobs')
      const producer = mp.joinableQueue<string>('jobs')
      const got = consumer.get({ timeout: 10_000 })
      assert.equal(await settled(got), false)
      const started = performance.now()
      await producer.put('wake')
      assert.equal(await got, 'wake')
      assert.ok(performance.now() - started < 1000)
      consumer.taskDone()
    })

    it('a blocked get still wakes when a dying consumer swallowed the wake-up', async (t) => {
      const mp = await openContext(t, topology)
      const consumer = mp.joinableQueue<string>('jobs', { lease: 300 })
      const producer = mp.joinableQueue<string>('jobs')
      // A consumer that pops BullMQ's marker and dies before taking the item.
      const dying = mp.redis.duplicate()
      t.after(() => dying.disconnect())
      const marker = `${consumer.bullmq.prefix}:${consumer.bullmq.name}:marker`
      const swallowed = dying.bzpopmin(marker, 10)
      await until(async () => (await blockedCount(mp)) >= 1, 'the marker pop blocks')
      const got = consumer.get({ timeout: 10_000 })
      await until(async () => (await blockedCount(mp)) >= 2, 'the get blocks too')
      await producer.put('x')
      assert.notEqual(await swallowed, null)
      assert.equal(await got, 'x')
      consumer.taskDone()
    })

    it('serves concurrent gets on one handle, each item once', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs')
      const gets = Array.from({ length: 50 }, () => q.get({ timeout: 10_000 }))
      await q.putMany(Array.from({ length: 50 }, (_, i) => i))
      const got = await Promise.all(gets)
      assert.deepEqual(
        [...got].sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i),
      )
      for (let i = 0; i < 50; i++) q.taskDone()
      await q.join({ timeout: 5000 })
    })

    it('getNowait takes an item at once', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs')
      await q.putMany([1, 2])
      assert.equal(await q.getNowait(), 1)
      assert.equal(await q.getNowait(), 2)
      await assert.rejects(q.getNowait(), hasCode('EMPTY'))
      q.taskDone()
      q.taskDone()
      await q.join({ timeout: 5000 })
    })

    it("Python's block: false gets and puts without waiting", async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs', { maxsize: 1 })
      await q.put(1, { block: false })
      const started = performance.now()
      await assert.rejects(q.put(2, { block: false, timeout: 5000 }), hasCode('FULL'))
      assert.equal(await q.get({ block: false }), 1)
      await assert.rejects(q.get({ block: false, timeout: 5000 }), hasCode('EMPTY'))
      assert.ok(performance.now() - started < 1000, 'a call with block: false waited')
      await assert.rejects(q.get({ block: 'no' as unknown as boolean }), hasCode('TYPE_ERROR'))
      await q.taskDone()
    })

    it('reports qsize, empty and full', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs', { maxsize: 2 })
      assert.equal(await q.qsize(), 0)
      assert.equal(await q.empty(), true)
      assert.equal(await q.full(), false)
      await q.putNowait(1)
      await q.putNowait(2)
      assert.equal(await q.qsize(), 2)
      assert.equal(await q.empty(), false)
      assert.equal(await q.full(), true)
      await assertRefusedWithoutWrite(mp, 'FULL', () => q.putNowait(3))
      const other = mp.joinableQueue<number>('jobs')
      assert.equal(await other.full(), true, 'the first put fixes maxsize for every handle')
      await assert.rejects(other.putNowait(3), (error) => error instanceof Full)
    })

    it('a put on a full queue waits until a get makes room, and fails with FULL on timeout', async (t) => {
      const mp = await openContext(t, topology)
      const producer = mp.joinableQueue<string>('jobs', { maxsize: 1 })
      const consumer = mp.joinableQueue<string>('jobs', { prefetch: 1 })
      await producer.put('a')
      const started = performance.now()
      await assert.rejects(producer.put('b', { timeout: 150 }), (error) => error instanceof Full)
      assert.ok(performance.now() - started >= 150)
      const put = producer.put('b', { timeout: 10_000 })
      assert.equal(await settled(put), false)
      assert.equal(await consumer.get(), 'a')
      await put
      assert.equal(await consumer.get(), 'b')
      consumer.taskDone()
      consumer.taskDone()
      await producer.join({ timeout: 5000 })
    })

    it('putMany on a bounded queue puts what fits and waits for room for the rest', async (t) => {
      const mp = await openContext(t, topology)
      const producer = mp.joinableQueue<number>('jobs', { maxsize: 2 })
      const consumer = mp.joinableQueue<number>('jobs', { prefetch: 1 })
      await assert.rejects(
        producer.putMany([1, 2, 3], { timeout: 100 }),
        (error) => error instanceof Full && /2 of 3/.test(error.message),
      )
      const putting = producer.putMany([4, 5, 6])
      const got = []
      for (let i = 0; i < 5; i++) {
        got.push(await consumer.get({ timeout: 5000 }))
        consumer.taskDone()
      }
      await putting
      assert.deepEqual(got, [1, 2, 4, 5, 6])
      await producer.join({ timeout: 5000 })
    })

    it('after shutdown, put fails with SHUTDOWN and get drains the queue, then fails', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs')
      await q.putMany([1, 2])
      await q.shutdown()
      await assertRefusedWithoutWrite(mp, 'SHUTDOWN', () => q.put(3))
      await assert.rejects(q.putMany([3, 4]), (error) => error instanceof ShutDown)
      const other = mp.joinableQueue<number>('jobs')
      assert.equal(await other.get(), 1)
      assert.equal(await other.get(), 2)
      await assert.rejects(other.get(), (error) => error instanceof ShutDown)
      await assert.rejects(other.getNowait(), (error) => error instanceof ShutDown)
      other.taskDone()
      other.taskDone()
      await q.join({ timeout: 5000 })
    })

    it('shutdown wakes blocked getters on every handle, and blocked putters', async (t) => {
      const mp = await openContext(t, topology)
      const getters = [mp.joinableQueue('jobs'), mp.joinableQueue('jobs'), mp.joinableQueue('jobs')]
      const gets = [...getters.map((q) => q.get()), getters[0]?.get({ timeout: 60_000 })]
      const bounded = mp.joinableQueue<string>('full', { maxsize: 1 })
      await bounded.put('a')
      const put = bounded.put('b')
      await until(async () => (await blockedCount(mp)) >= 3, 'the gets and the put block')
      for (const get of gets) assert.equal(await settled(get as Promise<unknown>), false)
      assert.equal(await settled(put), false)
      const started = performance.now()
      await mp.joinableQueue('jobs').shutdown()
      await bounded.shutdown()
      for (const get of gets)
        await assert.rejects(get as Promise<unknown>, (error) => error instanceof ShutDown)
      await assert.rejects(put, (error) => error instanceof ShutDown)
      assert.ok(performance.now() - started < 2000)
    })

    it('an immediate shutdown drops the waiting items, counts them done, and join returns', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs', { prefetch: 1 })
      const bull = new Queue(q.bullmq.name, { connection: mp.redis, prefix: q.bullmq.prefix })
      t.after(() => bull.close())
      await q.putMany([1, 2, 3, 4, 5])
      assert.equal(await q.get(), 1)
      const joined = q.join()
      await q.shutdown({ immediate: true })
      await assert.rejects(q.get(), (error) => error instanceof ShutDown)
      assert.equal(await q.unfinishedTasks(), 1, 'the item handed out still needs its taskDone')
      assert.equal(await settled(joined), false)
      q.taskDone()
      await joined
      const counts = await bull.getJobCounts('waiting', 'active', 'completed')
      assert.deepEqual(counts, { waiting: 0, active: 0, completed: 0 })
    })

    it('for await yields items until the queue is shut down', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs')
      await q.putMany([1, 2, 3])
      await q.shutdown()
      const seen = []
      for await (const item of q) {
        seen.push(item)
        q.taskDone()
      }
      assert.deepEqual(seen, [1, 2, 3])
      await q.join({ timeout: 5000 })
    })

    it("is visible to BullMQ's own Queue, and leaves no job behind once acknowledged", async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<{ n: number }>('jobs:with:colons', { prefetch: 1 })
      const bull = new Queue(q.bullmq.name, { connection: mp.redis, prefix: q.bullmq.prefix })
      t.after(() => bull.close())
      assert.match(q.bullmq.prefix, /\{.*\}/, 'the prefix carries the hash tag')
      const before = await namespaceKeys(mp)
      await q.putMany([{ n: 1 }, { n: 2 }, { n: 3 }])
      assert.equal((await bull.getJobCounts('waiting')).waiting, 3)
      const waiting = await bull.getWaiting()
      assert.deepEqual(
        waiting.map((job) => job.data),
        [{ n: 1 }, { n: 2 }, { n: 3 }],
      )
      assert.deepEqual(await q.get(), { n: 1 })
      assert.deepEqual(await bull.getJobCounts('waiting', 'active'), { waiting: 2, active: 1 })
      q.taskDone()
      for (let i = 0; i < 2; i++) {
        await q.get()
        q.taskDone()
      }
      await q.join({ timeout: 5000 })
      assert.deepEqual(await bull.getJobCounts('waiting', 'active', 'completed'), {
        waiting: 0,
        active: 0,
        completed: 0,
      })
      const jobKey = new RegExp(`^${escapeRegExp(q.bullmq.prefix)}:${q.bullmq.name}:\\d+`)
      const left = (await namespaceKeys(mp)).filter((key) => !before.includes(key))
      assert.deepEqual(
        left.filter((key) => jobKey.test(key)),
        [],
        'job hashes or locks were left behind',
      )
    })

    it("keeps no job once acknowledged, and caps BullMQ's events stream", async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs')
      // BullMQ's own setting for the events stream.
      const bull = new Queue(q.bullmq.name, {
        connection: mp.redis,
        prefix: q.bullmq.prefix,
        streams: { events: { maxLen: 50 } },
      })
      t.after(() => bull.close())
      await mp.redis.hset(bull.toKey('meta'), 'opts.maxLenEvents', '50')
      for (let round = 0; round < 3; round++) {
        await q.putMany(Array.from({ length: 100 }, (_, i) => i))
        for (let i = 0; i < 100; i++) {
          await q.get()
          q.taskDone()
        }
        await q.join({ timeout: 5000 })
      }
      const keys = (await namespaceKeys(mp))
        .map((key) => key.slice(q.bullmq.prefix.length))
        // The stalled check's guard expires within a lease period.
        .filter((key) => key !== ':jobs:stalled-check')
      assert.deepEqual(keys, ['', ':jobs:events', ':jobs:id', ':jobs:marker', ':jobs:meta'])
      const events = await mp.redis.xlen(bull.toKey('events'))
      assert.ok(events <= 250, `the events stream grew to ${events} entries for 900 events`)
    })

    it('writes no BullMQ events by default, and keeps keepEvents of them when asked to', async (t) => {
      const mp = await openContext(t, topology)
      const run = async (name: string, options: { keepEvents?: number }) => {
        const q = mp.joinableQueue<number>(name, options)
        for (let round = 0; round < 3; round++) {
          await q.putMany(Array.from({ length: 200 }, (_, i) => i))
          for (let i = 0; i < 200; i++) {
            await q.get()
            q.taskDone()
          }
          await q.join({ timeout: 5000 })
        }
        const bull = new Queue(q.bullmq.name, {
          connection: mp.redis,
          prefix: q.bullmq.prefix,
          skipMetasUpdate: true,
        })
        t.after(() => bull.close())
        return {
          events: await mp.redis.xlen(bull.toKey('events')),
          recorded: await mp.redis.hget(bull.toKey('meta'), 'opts.maxLenEvents'),
        }
      }
      // 1,800 events (waiting, active, completed per item) would be written.
      assert.deepEqual(await run('quiet', {}), { events: 0, recorded: '0' })
      const kept = await run('listened', { keepEvents: 300 })
      assert.equal(kept.recorded, '300')
      assert.ok(kept.events >= 300 && kept.events < 500, `the stream holds ${kept.events} events`)
      // The first put recorded the setting: a handle with another one keeps to it.
      const other = mp.joinableQueue<number>('quiet', { keepEvents: 50, prefetch: 1 })
      await other.put(1)
      await other.get()
      other.taskDone()
      await other.join({ timeout: 5000 })
      assert.equal(await mp.redis.xlen(`${other.bullmq.prefix}:quiet:events`), 0)

      // A consumer that comes first records it too, and the stalled-job check
      // it runs while waiting records no default of its own.
      const early = mp.joinableQueue<number>('early', { prefetch: 1 })
      const prefix = `${early.bullmq.prefix}:early`
      const got = early.get({ timeout: 10_000 })
      await until(async () => (await mp.redis.exists(`${prefix}:stalled-check`)) === 1, 'a check')
      await mp.joinableQueue<number>('early').putMany([1, 2])
      assert.equal(await got, 1)
      assert.equal(await early.get(), 2)
      early.taskDone()
      early.taskDone()
      await early.join({ timeout: 5000 })
      assert.equal(await mp.redis.hget(`${prefix}:meta`, 'opts.maxLenEvents'), '0')
      assert.equal(await mp.redis.xlen(`${prefix}:events`), 0)
    })

    it('keeps the last keepCompleted jobs for BullMQ tools when asked to', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('jobs', { keepCompleted: 2 })
      const bull = new Queue(q.bullmq.name, { connection: mp.redis, prefix: q.bullmq.prefix })
      t.after(() => bull.close())
      await q.putMany([1, 2, 3])
      for (let i = 0; i < 3; i++) {
        await q.get()
        q.taskDone()
      }
      await q.join({ timeout: 5000 })
      const completed = await bull.getCompleted()
      assert.deepEqual(completed.map((job) => job.data).sort(), [2, 3])
    })

    it('gives back items fetched ahead when the consumer stops asking', async (t) => {
      const mp = await openContext(t, topology)
      const fast = mp.joinableQueue<number>('jobs', { prefetch: 16 })
      const other = mp.joinableQueue<number>('jobs', { prefetch: 1 })
      await fast.putMany(Array.from({ length: 100 }, (_, i) => i))
      for (let i = 0; i < 20; i++) {
        await fast.get()
        fast.taskDone()
      }
      // The ones fetched ahead come back, so another consumer gets all 80 left.
      await until(async () => (await other.qsize()) === 80, 'the prefetched items are back')
      const rest = []
      for (let i = 0; i < 80; i++) {
        rest.push(await other.getNowait())
        other.taskDone()
      }
      assert.deepEqual(
        rest,
        Array.from({ length: 80 }, (_, i) => i + 20),
      )
      await other.join({ timeout: 5000 })
    })

    it('one consumer gets the items in order even while surplus goes back (FIFO)', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<number>('fifo', { prefetch: 32 })
      await q.putMany(Array.from({ length: 300 }, (_, i) => i))
      // A Redis that forgot its scripts answers the first give-back NOSCRIPT,
      // so it takes a second round trip: the next take must not overtake it.
      await flushScripts(mp)
      const got: number[] = []
      for (let i = 0; i < 300; i++) {
        got.push(await q.get())
        q.taskDone()
        // Work that holds the event loop: the handle gives back what it fetched ahead.
        if (i % 25 === 0) {
          const end = performance.now() + 30
          while (performance.now() < end) {}
        }
      }
      assert.deepEqual(
        got,
        Array.from({ length: 300 }, (_, i) => i),
      )
      await q.join({ timeout: 5000 })
    })

    it('close fails pending gets, gives back unacknowledged items, and refuses further calls', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.joinableQueue<number>('jobs', { prefetch: 1 })
      const b = mp.joinableQueue<number>('jobs', { prefetch: 1 })
      const full = mp.joinableQueue<number>('full', { maxsize: 1 })
      await b.putMany([1, 2])
      await full.put(0)
      assert.equal(await a.get(), 1)
      assert.equal(await a.get(), 2)
      a.taskDone()
      const pending = [a.get(), a.join(), full.put(1)].map((wait) =>
        wait.then(
          () => 'resolved',
          (error: unknown) => error,
        ),
      )
      await until(async () => (await blockedCount(mp)) >= 1, 'a call blocks')
      await a.close()
      await a.close()
      await full.close()
      for (const outcome of await Promise.all(pending)) assert.ok(hasCode('VALUE_ERROR')(outcome))
      assert.throws(() => a.taskDone(), hasCode('VALUE_ERROR'))
      await assert.rejects(a.get(), hasCode('VALUE_ERROR'))
      assert.equal(await b.unfinishedTasks(), 1)
      assert.equal(await b.getNowait(), 2, 'the unacknowledged item came back')
      b.taskDone()
      await b.join({ timeout: 5000 })
    })

    it('a get gives up when its signal aborts, with ABORTED caused by its reason', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue('jobs')
      const controller = new AbortController()
      const got = q.get({ signal: controller.signal })
      const reason = new Error('stop waiting')
      controller.abort(reason)
      await assert.rejects(got, isAbortedBy(reason))
      const joined = (async () => {
        await q.put(1)
        return q.join({ signal: AbortSignal.timeout(50) })
      })()
      await assert.rejects(joined, (error: Error) => {
        assert.ok(isRedprocError(error, 'ABORTED'))
        assert.equal((error.cause as Error).name, 'TimeoutError')
        return true
      })
    })

    it('refuses bad names, items and options, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      assert.throws(() => mp.joinableQueue('no spaces'), hasCode('INVALID_NAME'))
      assert.throws(() => mp.joinableQueue('q', { maxsize: 1.5 }), hasCode('TYPE_ERROR'))
      assert.throws(() => mp.joinableQueue('q', { maxsize: -1 }), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.joinableQueue('q', { lease: 10 }), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.joinableQueue('q', { prefetch: 0 }), hasCode('VALUE_ERROR'))
      assert.throws(
        () => mp.joinableQueue('q', { keepCompleted: '1' as never }),
        hasCode('TYPE_ERROR'),
      )
      assert.throws(() => mp.joinableQueue('q', { keepEvents: -1 }), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.joinableQueue('q', null as never), hasCode('TYPE_ERROR'))
      const q = mp.joinableQueue<Json>('jobs')
      await q.put('already there')
      const refuse = (errorCode: string, action: () => Promise<unknown>) =>
        assertRefusedWithoutWrite(mp, errorCode as never, action)
      await refuse('NOT_SERIALIZABLE', () => q.put(undefined as never))
      await refuse('NOT_SERIALIZABLE', () => q.put(new Date() as never))
      await refuse('NOT_SERIALIZABLE', () => q.putNowait(Number.NaN))
      await refuse('NOT_SERIALIZABLE', () => q.putMany([1, 2, () => 3] as never))
      await refuse('TYPE_ERROR', () => q.putMany(42 as never))
      await refuse('TYPE_ERROR', () => q.put(1, { timeout: '1' as never }))
      await refuse('VALUE_ERROR', () => q.put(1, { timeout: -1 }))
      await refuse('TYPE_ERROR', () => q.get({ timeout: Number.NaN }))
      await refuse('VALUE_ERROR', () => q.get({ timeout: -5 }))
      await refuse('TYPE_ERROR', () => q.get({ signal: 'x' as never }))
      await refuse('TYPE_ERROR', () => q.join({ timeout: 'soon' as never }))
      await refuse('VALUE_ERROR', () => q.join({ timeout: -1 }))
      await refuse('TYPE_ERROR', () => q.shutdown({ immediate: 'yes' as never }))
      assert.equal(await q.qsize(), 1)
    })
  })
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
