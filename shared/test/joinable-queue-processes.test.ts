import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { Queue } from 'bullmq'
import type { Context } from '../src/index.js'
import type { ChildConfig } from './support/child-context.js'
import { assertExitedCleanly, type RunningChild, startChild } from './support/children.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { until } from './support/until.js'

const LEASE = 1000

for (const topology of TOPOLOGIES) {
  describe(`joinable queue across processes (${topology})`, () => {
    it('2 producers and 3 consumers move 10,000 items; join sees each acked once', async (t) => {
      const mp = await openContext(t, topology)
      const base = { topology, namespace: mp.options.namespace, queue: 'jobs' }
      const consumers = [0, 1, 2].map(() => startChild(t, 'jq-consumer', base))
      for (const consumer of consumers) await consumer.next()
      const producers = [
        startChild(t, 'jq-producer', { ...base, from: 0, count: 5000, batch: 1 }),
        startChild(t, 'jq-producer', { ...base, from: 5000, count: 5000, batch: 500 }),
      ]
      for (const producer of producers) assertExitedCleanly(await producer.exited)
      // This process never put anything: join still sees the others' items.
      const q = mp.joinableQueue<number>('jobs')
      await q.join({ timeout: 60_000 })
      assert.equal(await q.unfinishedTasks(), 0)
      await q.shutdown()
      const reports = []
      for (const consumer of consumers) {
        reports.push(await consumer.next<{ seen: number[]; acked: number }>())
        assertExitedCleanly(await consumer.exited)
      }
      const seen = reports.flatMap((r) => r.seen)
      assert.equal(seen.length, 10_000, 'an item was delivered twice or not at all')
      assert.equal(new Set(seen).size, 10_000)
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: 10_000 }, (_, i) => i),
      )
      assert.equal(
        reports.reduce((sum, r) => sum + r.acked, 0),
        10_000,
      )
      for (const r of reports) assert.ok(r.seen.length > 0, 'a consumer got nothing')
      const bull = new Queue(q.bullmq.name, { connection: mp.redis, prefix: q.bullmq.prefix })
      const counts = await bull.getJobCounts('waiting', 'active', 'completed')
      await bull.close()
      assert.deepEqual(counts, { waiting: 0, active: 0, completed: 0 })
    })

    it('the items of a consumer killed while holding them come back after the lease', async (t) => {
      const mp = await openContext(t, topology)
      const base = { topology, namespace: mp.options.namespace, queue: 'jobs', lease: LEASE }
      const q = mp.joinableQueue<number>('jobs', { lease: LEASE })
      await q.putMany(Array.from({ length: 20 }, (_, i) => i))
      const holder = startChild(t, 'jq-holder', { ...base, count: 5, after: 'hold' })
      const { held } = await holder.next<{ held: number[] }>()
      assert.deepEqual(held, [0, 1, 2, 3, 4])
      // The consumer runs before the kill: the held items go to it the moment they are back.
      const consumer = startChild(t, 'jq-consumer', base)
      await consumer.next()
      // Then only the holder's items are out (those it got, and any it fetched ahead).
      const holderOnly = async () => {
        const leases = await q.leases()
        return (await q.qsize()) === 0 && leases.every((lease) => lease.pid === holder.pid)
      }
      await until(holderOnly, 'the consumer to finish the free items')
      const killedAt = performance.now()
      holder.kill('SIGKILL')
      assert.equal((await holder.exited).signal, 'SIGKILL')
      // What is left of the dead holder's leases: no item may come back sooner.
      // (A starved holder may have renewed late; the locks say when they end.)
      const leases = await q.leases()
      assert.ok(leases.length >= 5, `the holder held ${leases.length} items`)
      const leaseLeft = Math.min(...leases.map((lease) => lease.leaseMs ?? 0))
      await q.join({ timeout: 30_000 })
      const waited = performance.now() - killedAt
      assert.ok(
        waited >= leaseLeft,
        `the held items came back ${Math.round(waited)} ms after the kill, before their leases ended (${leaseLeft} ms left)`,
      )
      await q.shutdown()
      const { seen, acked } = await consumer.next<{ seen: number[]; acked: number }>()
      assertExitedCleanly(await consumer.exited)
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i),
      )
      assert.equal(acked, 20)
      assert.equal(await q.unfinishedTasks(), 0)
    })

    it('after an immediate shutdown, join alone counts the items of a killed consumer as done', async (t) => {
      const mp = await openContext(t, topology)
      const base = { topology, namespace: mp.options.namespace, queue: 'jobs', lease: LEASE }
      const q = mp.joinableQueue<number>('jobs', { lease: LEASE })
      await q.putMany([0, 1, 2, 3, 4])
      const holder = startChild(t, 'jq-holder', { ...base, count: 2, after: 'hold' })
      assert.deepEqual(await holder.next(), { held: [0, 1] })
      holder.kill('SIGKILL')
      await holder.exited
      await q.shutdown({ immediate: true })
      assert.equal(await q.unfinishedTasks(), 2, 'the waiting items were not dropped and counted')
      // No consumer is left to take the two items back; they can never run.
      const started = performance.now()
      await q.join({ timeout: 10 * LEASE })
      const waited = performance.now() - started
      assert.ok(waited < 3 * LEASE, `join took ${Math.round(waited)} ms for a lease of ${LEASE} ms`)
      assert.equal(await q.unfinishedTasks(), 0)
      assert.equal(await q.qsize(), 0, 'a dead consumer’s item went back to a shut-down queue')
    })

    it('a late ack from a consumer paused past its lease is not counted again', async (t) => {
      const mp = await openContext(t, topology)
      const base = { topology, namespace: mp.options.namespace, queue: 'jobs', lease: LEASE }
      const q = mp.joinableQueue<number>('jobs', { lease: LEASE, prefetch: 1 })

      // The late ack arrives while the item is held by the consumer it went to next.
      await q.put(1)
      const first = startLateAcker(t, mp, base, 1)
      assert.deepEqual(await first.next(), { held: [1] })
      first.kill('SIGSTOP')
      assert.equal(await q.get({ timeout: 20_000 }), 1, 'the item came back once its lease lapsed')
      await mp.redis.rpush(goKey(mp, 1), 'go')
      first.kill('SIGCONT')
      assert.deepEqual(await first.next(), { unfinished: 1 }, 'the late ack was counted')
      assertExitedCleanly(await first.exited)
      q.taskDone()
      await q.join({ timeout: 5000 })

      // The late ack arrives after the item was acknowledged by the consumer it went to next.
      await q.put(2)
      const second = startLateAcker(t, mp, base, 2)
      assert.deepEqual(await second.next(), { held: [2] })
      second.kill('SIGSTOP')
      assert.equal(await q.get({ timeout: 20_000 }), 2)
      q.taskDone()
      await q.join({ timeout: 5000 })
      await mp.redis.rpush(goKey(mp, 2), 'go')
      second.kill('SIGCONT')
      assert.deepEqual(await second.next(), { unfinished: 0 }, 'the count went below zero')
      assertExitedCleanly(await second.exited)
      assert.equal(await q.unfinishedTasks(), 0)
    })
  })
}

describe('joinable queue process lifetime', () => {
  it('a process that closes its context while a get waits exits by itself', async (t) => {
    const mp = await openContext(t, 'single')
    const child = startChild(
      t,
      'jq-close-waiting',
      { topology: 'single', namespace: mp.options.namespace, queue: 'jobs' },
      20_000,
    )
    assert.deepEqual(await child.next(), { get: 'VALUE_ERROR' })
    assertExitedCleanly(await child.exited)
  })
})

function goKey(mp: Context, n: number): string {
  return mp.keys('test', `go-${n}`).base
}

/** A consumer that takes one item and acknowledges it only when `goKey(mp, n)` says 'go'. */
function startLateAcker(t: TestContext, mp: Context, base: ChildConfig, n: number): RunningChild {
  return startChild(t, 'jq-holder', { ...base, count: 1, after: 'ack-on-go', goKey: goKey(mp, n) })
}
