import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import type { Context } from '../src/index.js'
import { namespacePattern } from '../src/redis/keys.js'
import {
  assertAbortedAtOnce,
  assertAbortedMidWait,
  assertLeftAsBefore,
  isAbortedBy,
} from './support/abort.js'
import { blockedCount, openNamedContext } from './support/blocked-connections.js'
import { hasCode } from './support/error-codes.js'
import { masterNodes, openContext, TOPOLOGIES, type Topology } from './support/redis.js'
import { snapshotNamespace } from './support/snapshot.js'
import { until } from './support/until.js'

const POOL_TASKS = new URL('./fixtures/tasks.ts', import.meta.url)

/** Whether anyone listens to a channel of `mp`'s namespace (a join, a put waiting for room). */
async function listened(mp: Context): Promise<boolean> {
  for (const node of masterNodes(mp)) {
    const channels = (await node.pubsub('CHANNELS', namespacePattern(mp.options.namespace))) as []
    if (channels.length > 0) return true
  }
  return false
}

/** A context whose connections tell when it blocks, or listens. */
async function watched(t: TestContext, mp: Context, topology: Topology) {
  const { mp: named, connectionName } = await openNamedContext(t, mp, topology)
  return {
    mp: named,
    blocks: async () => (await blockedCount(mp, connectionName)) > 0,
    listens: () => listened(mp),
  }
}

for (const topology of TOPOLOGIES) {
  describe(`aborting the waits of queues and pipes (${topology})`, () => {
    it('every blocking call given an aborted signal fails with ABORTED at once, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.queue<number>('q', { maxsize: 1 })
      await q.put(1)
      const jq = mp.joinableQueue<number>('jq', { maxsize: 1 })
      await jq.put(1)
      const [a, b] = mp.pipe('p')
      await b.send('waiting')
      for (const call of [
        (signal: AbortSignal) => q.get({ signal }),
        (signal: AbortSignal) => q.put(2, { signal }),
        (signal: AbortSignal) => q.putMany([2, 3], { signal }),
        (signal: AbortSignal) => jq.put(2, { signal }),
        (signal: AbortSignal) => jq.putMany([2], { signal }),
        (signal: AbortSignal) => jq.join({ signal }),
        (signal: AbortSignal) => jq.getJob('1', { wait: 1000, signal }),
        (signal: AbortSignal) => a.recv({ signal }),
        (signal: AbortSignal) => a.recvBytes({ signal }),
        (signal: AbortSignal) => a.poll({ timeout: 1000, signal }),
      ]) {
        await assertAbortedAtOnce(mp, call)
      }
      // A get takes nothing: checked after the others, which need the items.
      await assertAbortedAtOnce(mp, (signal) => jq.get({ signal }))
      assert.equal(await a.recv(), 'waiting')
      await assert.rejects(a.poll({ signal: 'no' as never }), hasCode('TYPE_ERROR'))
      await assert.rejects(q.get({ signal: {} as never }), hasCode('TYPE_ERROR'))
    })

    it('a queue get or put aborted mid-wait fails within 100 ms; the queue is as it was', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, blocks } = await watched(t, mp, topology)
      const empty = named.queue<number>('empty')
      const full = named.queue<number>('full', { maxsize: 1 })
      await full.put(1)
      const before = await snapshotNamespace(mp)
      await assertAbortedMidWait('queue.get', (signal) => empty.get({ signal }), blocks)
      await assertAbortedMidWait('queue.put', (signal) => full.put(2, { signal }), blocks)
      await assertAbortedMidWait('queue.putMany', (signal) => full.putMany([2], { signal }), blocks)
      // The aborted putters are no longer counted as waiting for room.
      await assertLeftAsBefore(mp, before)
      await mp.queue<number>('empty').put(7)
      assert.equal(await empty.get({ timeout: 5000 }), 7)
      assert.equal(await full.get(), 1)
    })

    it('a pipe recv, recvBytes or poll aborted mid-wait fails within 100 ms; later messages arrive', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, blocks } = await watched(t, mp, topology)
      const [a] = named.pipe('p')
      const before = await snapshotNamespace(mp)
      await assertAbortedMidWait('pipe.recv', (signal) => a.recv({ signal }), blocks)
      await assertAbortedMidWait('pipe.recvBytes', (signal) => a.recvBytes({ signal }), blocks)
      await assertAbortedMidWait(
        'pipe.poll',
        (signal) => a.poll({ timeout: 60_000, signal }),
        blocks,
      )
      await assertLeftAsBefore(mp, before)
      await mp.pipe('p')[1].send('after')
      assert.equal(await a.poll(5000), true)
      assert.equal(await a.recv({ timeout: 5000 }), 'after')
    })

    // A message popped as the abort fires goes back to the head of the list:
    // the aborted call fails, and the next one gets the message.
    for (const kind of ['queue get', 'pipe recv'] as const) {
      it(`a ${kind} aborted as a message arrives loses nothing (200 rounds)`, async (t) => {
        const mp = await openContext(t, topology)
        const { mp: named } = await watched(t, mp, topology)
        const q = named.queue<number>('q')
        const [a] = named.pipe('p')
        const receive =
          kind === 'queue get'
            ? (options: { signal?: AbortSignal; timeout?: number }) => q.get(options)
            : (options: { signal?: AbortSignal; timeout?: number }) => a.recv(options)
        const send = (n: number) =>
          kind === 'queue get' ? mp.queue<number>('q').put(n) : mp.pipe('p')[1].send(n)
        let aborted = 0
        for (let n = 0; n < 200; n++) {
          const controller = new AbortController()
          const got = receive({ signal: controller.signal }).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          )
          await send(n)
          controller.abort('gone')
          const outcome = await got
          if ('value' in outcome) {
            assert.equal(outcome.value, n)
          } else {
            isAbortedBy('gone')(outcome.error)
            aborted++
            assert.equal(await receive({ timeout: 5000 }), n, `round ${n}: the message was lost`)
          }
        }
        assert.ok(aborted > 0, 'no round was aborted')
      })
    }

    it('a joinable queue get, put, join or getJob aborted mid-wait fails within 100 ms', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, blocks, listens } = await watched(t, mp, topology)
      const empty = named.joinableQueue<number>('empty')
      await assertAbortedMidWait('joinableQueue.get', (signal) => empty.get({ signal }), blocks)
      await mp.joinableQueue<number>('empty').put(5)
      assert.equal(await empty.get({ timeout: 5000 }), 5, 'the next get takes the next item')
      await empty.taskDone()
      const full = named.joinableQueue<number>('full', { maxsize: 1 })
      await full.put(1)
      await assertAbortedMidWait('joinableQueue.put', (signal) => full.put(2, { signal }), listens)
      await assertAbortedMidWait(
        'joinableQueue.putMany',
        (signal) => full.putMany([2], { signal }),
        listens,
      )
      assert.equal(await full.qsize(), 1, 'nothing was put')
      await assertAbortedMidWait('joinableQueue.join', (signal) => full.join({ signal }), listens)
      const job = await full.nextJob()
      await assertAbortedMidWait(
        'joinableQueue.getJob',
        (signal) => full.getJob(job.id, { wait: 60_000, signal }),
        listens,
      )
      await full.taskDone()
      await full.join({ timeout: 5000 })
    })
  })
}

describe('aborting the waits of pool results and processes', () => {
  it('an AsyncResult wait or get aborted fails within 100 ms; the work goes on', async (t) => {
    const mp = await openContext(t)
    await using pool = mp.pool({ backend: 'local', tasks: POOL_TASKS, processes: 1 })
    const result = pool.applyAsync<number>('slowDouble', [21, 300])
    await assertAbortedAtOnce(mp, (signal) => result.wait({ signal }))
    await assertAbortedAtOnce(mp, (signal) => result.get({ signal }))
    await assertAbortedMidWait(
      'asyncResult.wait',
      (signal) => result.wait({ signal }),
      async () => true,
    )
    await assertAbortedMidWait(
      'asyncResult.get',
      (signal) => result.get({ signal }),
      async () => true,
    )
    assert.equal(await result.get({ timeout: 10_000 }), 42)
  })

  it('a pool join aborted, or out of time, fails; the work goes on and a later join waits for it', async (t) => {
    const mp = await openContext(t)
    const pool = mp.pool({ backend: 'local', tasks: POOL_TASKS, processes: 1 })
    t.after(() => pool.terminate())
    const result = pool.applyAsync<number>('slowDouble', [21, 500])
    pool.close()
    await assertAbortedAtOnce(mp, (signal) => pool.join({ signal }))
    await assertAbortedMidWait(
      'pool.join',
      (signal) => pool.join({ signal }),
      async () => true,
    )
    await assert.rejects(pool.join({ timeout: 10 }), hasCode('TIMEOUT'))
    assert.equal(result.ready(), false)
    await pool.join({ timeout: 10_000 })
    assert.equal(await result.get(), 42)
  })

  it('a process join aborted fails within 100 ms; the child runs on', async (t) => {
    const mp = await openContext(t)
    const child = mp.process({
      target: 'waitFor',
      args: ['go'],
      tasks: new URL('./fixtures/process-tasks.ts', import.meta.url),
    })
    child.start()
    t.after(async () => {
      if (child.isAlive()) child.kill()
      await child.join()
    })
    await until(async () => mp.dict('who').has('go'), 'the child runs')
    await assertAbortedAtOnce(mp, (signal) => child.join({ signal }))
    await assertAbortedMidWait(
      'process.join',
      (signal) => child.join({ signal }),
      async () => true,
    )
    assert.equal(child.isAlive(), true)
    await mp.event('go').set()
    await child.join({ timeout: 10_000 })
    assert.equal(child.exitCode, 0)
  })
})
