import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { describe, it } from 'node:test'
import { Queue as BullQueue } from 'bullmq'
import {
  type Context,
  isRedprocError,
  listObjects,
  listQueues,
  OBJECT_KINDS,
  type ObjectKind,
  serve,
} from '../src/index.js'
import { namespacePattern } from '../src/redis/keys.js'
import * as tasks from './fixtures/tasks.js'
import { hasCode } from './support/error-codes.js'
import { masterNodes, openContext, TOPOLOGIES, uniqueNamespace } from './support/redis.js'
import { assertRefusedWithoutWrite, namespaceKeys } from './support/snapshot.js'

/** Every key of one object, on every node. */
async function keysOf(mp: Context, kind: ObjectKind, name: string): Promise<string[]> {
  const pattern = mp.keys(kind, name).pattern
  return (await namespaceKeys(mp)).filter((key) => key.startsWith(pattern.slice(0, -1)))
}

/** Gives every kind of object some state in Redis, named after its kind. */
async function makeOneOfEach(mp: Context): Promise<void> {
  await mp.queue('queue').put(1)
  await mp.joinableQueue('joinable-queue').put(1)
  const [a] = mp.pipe('pipe')
  await a.send('hello')
  assert.equal(await mp.lock('lock').acquire(), true)
  assert.equal(await mp.rlock('rlock').acquire(), true)
  assert.equal(await mp.semaphore('semaphore', 2).acquire(), true)
  assert.equal(await mp.boundedSemaphore('bounded-semaphore', 2).acquire(), true)
  const condition = mp.condition('condition')
  await condition.acquire()
  await mp.event('event').set()
  const barrier = mp.barrier('barrier', 2)
  await assert.rejects(barrier.wait({ timeout: 1 }), hasCode('BROKEN_BARRIER'))
  await mp.value('value', 1).add(1)
  await mp.array('array', [1, 2]).set(0, 3)
  await mp.namespace('namespace').set('a', 1)
  await mp.dict('dict').set('a', 1)
  await mp.list('list').append(1)
}

for (const topology of TOPOLOGIES) {
  describe(`deleting objects (${topology})`, () => {
    it('queue.delete() takes the items, bound and shutdown, and closes the handle', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue('q', { maxsize: 5 })
      await q.putMany([1, 2, 3])
      await q.shutdown()
      assert.ok((await keysOf(mp, 'queue', 'q')).length > 1, 'the queue has keys to delete')
      const deleted = await q.delete()
      assert.ok(deleted > 1)
      assert.deepEqual(await keysOf(mp, 'queue', 'q'), [])
      await assert.rejects(q.put(4), hasCode('VALUE_ERROR'))
      const again = mp.queue('q')
      await again.put('fresh')
      assert.equal(await again.get({ timeout: 1000 }), 'fresh', 'a new queue by the same name')
    })

    it('a deleted joinable queue leaves no key, BullMQ’s included', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue('jobs')
      await q.putMany([1, 2, 3, 4])
      await q.putJobs([
        { data: { task: 'double', args: [1] }, opts: { delay: 60_000 } },
        { data: { task: 'fail', args: ['no'] } },
        { data: { task: 'double', args: [2] } },
      ])
      const server = await serve(mp, { queue: 'other', tasks })
      await server.stop()
      // A second handle holds two items under lease when the queue is deleted.
      const holder = mp.joinableQueue('jobs', { prefetch: 1 })
      await holder.get()
      await holder.get()
      assert.equal((await q.leases()).length, 2)
      await q.get()
      await q.taskDone()
      // BullMQ's own tools write keys of their own: a job log.
      const bull = new BullQueue(q.bullmq.name, { prefix: q.bullmq.prefix, connection: mp.redis })
      t.after(() => bull.close())
      await bull.addJobLog('1', 'seen by a BullMQ tool')
      await q.shutdown()
      const before = await keysOf(mp, 'joinable-queue', 'jobs')
      for (const suffix of [':wait', ':active', ':meta', ':delayed', ':1:lock', ':1:logs']) {
        assert.ok(
          before.some((key) => key.endsWith(suffix)),
          `a key ${suffix} exists before`,
        )
      }
      assert.deepEqual(await listQueues(mp), ['jobs', 'other'])

      assert.equal(await q.delete(), before.length)
      await holder.close()
      await mp.joinableQueue('other').delete()
      assert.deepEqual(await namespaceKeys(mp), [], 'nothing of the namespace is left')
      assert.deepEqual(await listQueues(mp), [])
      const again = mp.joinableQueue('jobs')
      await again.putJobs([{ data: 'fresh' }])
      const { runTimes, ...counts } = await again.counts()
      assert.deepEqual(counts, {
        waiting: 1,
        active: 0,
        delayed: 0,
        completed: 0,
        failed: 0,
        unfinished: 1,
        shutdown: null,
        totals: { completed: 0, failed: 0 },
      })
      assert.equal(runTimes.totalMs, 0, 'the run times went with the queue')
      assert.deepEqual(await listQueues(mp), ['jobs'], 'the name registers again')
      await again.close()
    })

    it('a joinable queue a live worker serves is kept, unless forced', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue('tasks')
      await q.putJobs([{ data: { task: 'double', args: [1] } }])
      await using _server = await serve(mp, { queue: 'tasks', tasks, concurrency: 1 })
      await assert.rejects(q.delete(), (error: Error) => {
        assert.ok(isRedprocError(error, 'IN_USE'))
        assert.match(
          error.message,
          /joinable-queue 'tasks' has 1 live worker \(.* pid \d+ on 'tasks'\)/,
        )
        assert.match(error.message, /delete\(\{ force: true \}\)/)
        return true
      })
      await q.join({ timeout: 10_000 })
      assert.equal((await q.counts()).completed, 1, 'the refused delete left the job')
      assert.ok((await q.delete({ force: true })) > 0)
    })

    it('leases() tells which host and pid holds each leased item', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue('held', { prefetch: 1 })
      await q.putMany(['a', 'b', 'c'])
      await q.get()
      await q.get()
      const leases = await q.leases()
      assert.equal(leases.length, 2)
      for (const lease of leases) {
        assert.equal(lease.host, hostname())
        assert.equal(lease.pid, process.pid)
        assert.ok((lease.leaseMs ?? 0) > 0 && (lease.leaseMs ?? 0) <= 30_000)
      }
      assert.equal((await q.leases({ limit: 1 })).length, 1)
      await q.taskDone()
      await q.flush()
      assert.equal((await q.leases()).length, 1)
      await assert.rejects(q.leases({ limit: 0 }), hasCode('VALUE_ERROR'))
      await assert.rejects(q.leases({ limit: '1' as never }), hasCode('TYPE_ERROR'))
      await assert.rejects(q.leases({ max: 1 } as never), hasCode('TYPE_ERROR'))
      await q.close()
    })

    it('mp.drop deletes one object of each kind and leaves the others', async (t) => {
      const mp = await openContext(t, topology)
      await makeOneOfEach(mp)
      const listed = (await listObjects(mp)).map(({ kind, name }) => `${kind} ${name}`)
      assert.deepEqual(listed, OBJECT_KINDS.map((kind) => `${kind} ${kind}`).sort())
      const left = new Set<string>(OBJECT_KINDS)
      for (const kind of OBJECT_KINDS) {
        assert.ok((await mp.drop(kind, kind)) > 0, `${kind} had keys`)
        left.delete(kind)
        assert.deepEqual(
          (await listObjects(mp)).map((object) => object.kind),
          [...left].sort(),
          `only ${kind} went`,
        )
      }
      assert.equal(await mp.drop('dict', 'never-made'), 0)
    })

    it('mp.drop refuses bad input and changes nothing', async (t) => {
      const mp = await openContext(t, topology)
      await mp.dict('d').set('a', 1)
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => mp.drop('nope' as never, 'd'))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => mp.drop(42 as never, 'd'))
      await assertRefusedWithoutWrite(mp, 'INVALID_NAME', () => mp.drop('dict', 'bad name'))
      await assertRefusedWithoutWrite(mp, 'INVALID_NAME', () => mp.drop('dict', undefined as never))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () =>
        mp.drop('dict', 'd', { force: 'yes' as never }),
      )
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () =>
        mp.drop('dict', 'd', { forse: true } as never),
      )
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => mp.purge({ force: 1 } as never))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () =>
        mp.joinableQueue('q').delete('force' as never),
      )
    })

    it('purge deletes the whole namespace on every node, and no other', async (t) => {
      const mp = await openContext(t, topology)
      const neighbour = await openContext(t, topology, uniqueNamespace())
      await makeOneOfEach(mp)
      await neighbour.dict('kept').set('a', 1)
      if (topology === 'cluster') {
        const pattern = namespacePattern(mp.options.namespace)
        const holding = await Promise.all(
          masterNodes(mp).map(async (node) => (await node.keys(pattern)).length > 0),
        )
        assert.ok(holding.filter(Boolean).length > 1, 'the keys lie on more than one master')
      }
      const before = (await namespaceKeys(mp)).length
      assert.equal(await mp.purge(), before)
      assert.deepEqual(await namespaceKeys(mp), [])
      assert.deepEqual(await neighbour.dict('kept').toObject(), { a: 1 })
      // The queue registry went too, and a queue used again is listed again.
      await mp.joinableQueue('joinable-queue').putJobs([{ data: 1 }])
      assert.deepEqual(await listQueues(mp), ['joinable-queue'])
    })

    it('purge is refused while a worker of the namespace is live, unless forced', async (t) => {
      const mp = await openContext(t, topology)
      await mp.dict('d').set('a', 1)
      const server = await serve(mp, { queue: 'tasks', tasks })
      await assert.rejects(mp.purge(), (error: Error) => {
        assert.ok(isRedprocError(error, 'IN_USE'))
        assert.match(error.message, /namespace '.*' has 1 live worker .*purge\(\{ force: true \}\)/)
        return true
      })
      assert.deepEqual(await mp.dict('d').toObject(), { a: 1 }, 'the refused purge left the dict')
      await server.stop()
      assert.ok((await mp.purge()) > 0, 'a stopped worker no longer holds the namespace')
      assert.deepEqual(await namespaceKeys(mp), [])
      await mp.dict('d').set('a', 1)
      await using _again = await serve(mp, { queue: 'tasks', tasks })
      assert.ok((await mp.purge({ force: true })) > 0)
      assert.deepEqual(await mp.dict('d').toObject(), {})
    })
  })
}
