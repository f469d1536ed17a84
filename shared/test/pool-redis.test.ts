import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Cluster } from 'ioredis'
import {
  type Context,
  type ErrorCode,
  isRedprocError,
  listWorkers,
  type ServeOptions,
  serve,
} from '../src/index.js'
import { type PoolJob, poolKeys, TERMINATION_FRESH_MS, Terminations } from '../src/pool/wire.js'
import * as tasks from './fixtures/tasks.js'
import { type RunningChild, startChild } from './support/children.js'
import { openContext, TOPOLOGIES, type Topology } from './support/redis.js'
import { until } from './support/until.js'

/**
 * Starts `count` serving processes on queue 'tasks' — of every task, or of
 * `only` these — resolving once each says it is ready.
 */
async function startWorkers(
  t: TestContext,
  mp: Context,
  count: number,
  concurrency = 2,
  only: string[] = [],
): Promise<RunningChild[]> {
  const topology: Topology = mp.redis instanceof Cluster ? 'cluster' : 'single'
  const args = [mp.options.namespace, 'tasks', String(concurrency), only.join(','), topology]
  const workers = Array.from({ length: count }, () => startChild(t, 'pool-serve', args))
  for (const worker of workers) assert.equal(await worker.nextLine(), 'ready')
  return workers
}

/** Waits until some worker on queue 'tasks' is running an item. */
function untilAWorkerIsBusy(mp: Context): Promise<void> {
  return until(
    async () => (await listWorkers(mp, 'tasks')).some((w) => w.current.length > 0),
    'a worker runs an item',
  )
}

for (const topology of TOPOLOGIES) {
  describe(`pool (redis backend, ${topology})`, () => {
    it('two serving processes share a map; results are complete and in order', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 2)
      const pool = mp.pool({ queue: 'tasks' })
      const items = Array.from({ length: 200 }, (_, i) => i)
      for (const chunksize of [1, 7, undefined]) {
        const results = await pool.map<{ n: number; pid: number }>('where', items, { chunksize })
        assert.deepEqual(
          results.map((r) => r.n),
          items,
          `chunksize ${chunksize}`,
        )
        if (chunksize === 1)
          assert.equal(new Set(results.map((r) => r.pid)).size, 2, 'both processes took part')
      }
    })

    it('returns an empty result for empty input without any worker', async (t) => {
      const mp = await openContext(t, topology)
      assert.deepEqual(await mp.pool().map('double', []), [])
    })

    it('starmaps, applies and streams with imap', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 1)
      const pool = mp.pool()
      assert.deepEqual(
        await pool.starmap('add', [
          [1, 2],
          [3, 4],
        ]),
        [3, 7],
      )
      assert.equal(await pool.apply('add', [40, 2]), 42)
      const streamed: number[] = []
      for await (const r of pool.imap<number>('slowDouble', [3, 1, 2])) streamed.push(r)
      assert.deepEqual(streamed, [6, 2, 4])
      const unordered: number[] = []
      for await (const r of pool.imapUnordered<number>('double', [1, 2, 3])) unordered.push(r)
      assert.deepEqual(unordered.sort(), [2, 4, 6])
    })

    it('reports a task that throws with the remote message, stack, host and pid', async (t) => {
      const mp = await openContext(t, topology)
      const [worker] = await startWorkers(t, mp, 1)
      await assert.rejects(mp.pool().apply('fail', ['far away']), (error) => {
        assert.ok(isRedprocError(error, 'REMOTE_TASK_FAILED'))
        const remote = (error as unknown as { remote: Record<string, unknown> }).remote
        assert.equal(remote.message, 'far away')
        assert.equal(remote.task, 'fail')
        assert.equal(remote.pid, worker?.pid)
        assert.equal(typeof remote.host, 'string')
        assert.match(String(remote.stack), /at fail/)
        return true
      })
    })

    it('fails with UNKNOWN_TASK for a task no worker registered, instead of hanging', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 1)
      await assert.rejects(mp.pool().map('nope', [1, 2]), (error) =>
        isRedprocError(error, 'UNKNOWN_TASK'),
      )
    })

    it('a serving process that lacks a task passes its chunks on to one that has it', async (t) => {
      const mp = await openContext(t, topology)
      // a rolling deploy: the older release lacks 'slowDouble'
      const [older] = await startWorkers(t, mp, 1, 2, ['add', 'where'])
      const [newer] = await startWorkers(t, mp, 1, 2)
      const pool = mp.pool()
      const items = Array.from({ length: 30 }, (_, i) => i)
      assert.deepEqual(
        await pool.map('slowDouble', items, { chunksize: 1 }),
        items.map((n) => n * 2),
      )
      const entry = async (worker: RunningChild | undefined) =>
        (await listWorkers(mp, 'tasks')).find((w) => w.pid === worker?.pid)
      // as their heartbeats tell, a beat later
      await until(async () => (await entry(newer))?.processed === 30, 'the newer one ran all 30')
      const passer = await entry(older)
      assert.ok((passer?.passedOn ?? 0) > 0, 'the older one passed chunks on')
      assert.equal(passer?.processed, 0, 'the older one ran nothing')
      assert.deepEqual(passer?.missingTasks, ['slowDouble'])
      // a task no live worker lists still fails, from whichever took it
      await assert.rejects(pool.map('nope', [1, 2]), (error) =>
        isRedprocError(error, 'UNKNOWN_TASK'),
      )
      // once the newer one is gone, no live worker lists 'slowDouble'
      newer?.kill('SIGTERM')
      await newer?.exited
      await assert.rejects(pool.apply('slowDouble', [1]), (error) => {
        assert.ok(isRedprocError(error, 'UNKNOWN_TASK'))
        assert.equal((error as unknown as { remote: { pid: number } }).remote.pid, older?.pid)
        return true
      })
    })

    it('a per-task timeout fails a chunk that runs too long on a serving process', async (t) => {
      const mp = await openContext(t, topology)
      const [worker] = await startWorkers(t, mp, 1)
      const pool = mp.pool()
      await assert.rejects(pool.apply('slowDouble', [1, 5000], { timeout: 200 }), (error) => {
        assert.ok(isRedprocError(error, 'TIMEOUT'))
        assert.equal((error as unknown as { remote: { pid: number } }).remote.pid, worker?.pid)
        assert.match(String(error), /ran longer than its timeout of 200 ms/)
        return true
      })
      assert.deepEqual(await pool.map('slowDouble', [1, 2], { timeout: 5000 }), [2, 4])
    })

    it("a serving process's threads stop a task that runs past its timeout", async (t) => {
      const mp = await openContext(t, topology)
      const module = new URL('./fixtures/tasks.ts', import.meta.url)
      const threads = { module, count: 1 }
      const server = await serve(mp, { queue: 'jobs', tasks, threads, heartbeatMs: 100 })
      t.after(() => server.stop())
      const pool = mp.pool({ queue: 'jobs' })
      await assert.rejects(
        pool.apply('spin', [60_000], { timeout: 300 }),
        (error) =>
          isRedprocError(error, 'TIMEOUT') && /worker thread \d+ was stopped/.test(String(error)),
      )
      assert.deepEqual(await pool.map('double', [1, 2]), [2, 4])
    })

    it('AsyncResult.get times out with TIMEOUT', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 1)
      const result = mp.pool().applyAsync('slowDouble', [1, 400])
      await assert.rejects(result.get({ timeout: 50 }), (e) => isRedprocError(e, 'TIMEOUT'))
      assert.equal(await result.get(), 2)
    })

    it('terminate cancels the chunks no worker has started', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 1, 1)
      const pool = mp.pool()
      const pending = pool.mapAsync(
        'slowDouble',
        Array.from({ length: 30 }, (_, i) => i),
        { chunksize: 1 },
      )
      await pool.terminate()
      await assert.rejects(pending.get(), (e) => isRedprocError(e, 'SHUTDOWN'))
      // the worker acknowledges what was cancelled without running it
      await mp.joinableQueue('tasks').join({ timeout: 10_000 })
      const [worker] = await listWorkers(mp, 'tasks')
      assert.ok(worker && worker.processed < 30, `processed ${worker?.processed} of 30`)
    })

    it('close then join waits for the work already submitted', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 1)
      const pool = mp.pool()
      const pending = pool.mapAsync('slowDouble', [1, 2, 3])
      pool.close()
      await pool.join()
      assert.deepEqual(await pending.get(), [2, 4, 6])
    })

    it('redelivers the chunks of a worker killed mid-task, and the map completes', async (t) => {
      const mp = await openContext(t, topology)
      const [doomed] = await startWorkers(t, mp, 1, 4)
      const pool = mp.pool()
      const items = Array.from({ length: 8 }, () => [1, 500])
      const pending = pool.starmapAsync<number>('slowDouble', items, { chunksize: 1 })
      // let the doomed worker take items, then kill it before it can answer
      await untilAWorkerIsBusy(mp)
      doomed?.kill('SIGKILL')
      await startWorkers(t, mp, 1, 4)
      assert.deepEqual(await pending.get({ timeout: 60_000 }), Array(8).fill(2))
    })

    it('a CPU-bound chunk that runs longer than the lease runs once', async (t) => {
      const mp = await openContext(t, topology)
      await startWorkers(t, mp, 2, 1) // their lease is 2 s
      const file = join(mkdtempSync(join(tmpdir(), 'redproc-runs-')), 'runs')
      t.after(() => rmSync(dirname(file), { recursive: true, force: true }))
      const items = Array.from({ length: 6 }, (_, id) => ({ file, id, ms: 700 }))
      const results = await mp.pool().map<number>('busyNoted', items, { chunksize: 6 })
      assert.deepEqual(results, [0, 1, 2, 3, 4, 5])
      const runs = readFileSync(file, 'utf8').trim().split('\n').map(Number)
      assert.deepEqual(runs, [0, 1, 2, 3, 4, 5], 'an item ran more than once')
    })

    it('serve lists its worker with its figures, and stop() leaves the list', async (t) => {
      const mp = await openContext(t, topology)
      const server = await serve(mp, { queue: 'jobs', tasks, concurrency: 3, heartbeatMs: 100 })
      await mp.pool({ queue: 'jobs' }).map('double', [1, 2, 3, 4], { chunksize: 1 })
      const [entry] = await listWorkers(mp, 'jobs')
      assert.equal(entry?.id, server.id)
      assert.equal(entry?.pid, process.pid)
      assert.equal(entry?.concurrency, 3)
      assert.ok(entry?.tasks.includes('double'))
      assert.equal(server.info().processed, 4)
      await server.stop()
      assert.deepEqual(await listWorkers(mp, 'jobs'), [])
    })

    it('serve with more slots than an AbortSignal takes listeners warns of nothing', async (t) => {
      const mp = await openContext(t, topology)
      const warnings: string[] = []
      const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
      process.on('warning', onWarning)
      t.after(() => process.off('warning', onWarning))
      const server = await serve(mp, { queue: 'many', tasks, concurrency: 30 })
      const items = Array.from({ length: 90 }, (_, i) => i)
      const results = await mp.pool({ queue: 'many' }).map('double', items, { chunksize: 1 })
      assert.deepEqual(
        results,
        items.map((n) => n * 2),
      )
      await server.stop()
      assert.deepEqual(warnings, [])
    })

    it('a serving process stopped by SIGTERM finishes its item and exits 0', async (t) => {
      const mp = await openContext(t, topology)
      const [worker] = await startWorkers(t, mp, 1, 1)
      const pending = mp.pool().applyAsync('slowDouble', [21, 300])
      await untilAWorkerIsBusy(mp)
      worker?.kill('SIGTERM')
      assert.equal(await pending.get({ timeout: 10_000 }), 42)
      assert.equal((await worker?.exited)?.code, 0)
    })

    it('a chunk whose result cannot be sent is not acknowledged, and runs again once it can', async (t) => {
      const mp = await openContext(t, topology)
      const keys = poolKeys(mp, 'far')
      // A reply list that is not a list: the reply to this pool fails.
      await mp.redis.set(keys.replies, 'not a list')
      const queue = mp.joinableQueue<PoolJob>('jobs')
      await queue.put({ pool: 'far', chunk: 0, task: 'double', items: [21] })
      const server = await serve(mp, { queue: 'jobs', tasks, heartbeatMs: 100 })
      t.after(() => server.stop())
      await until(() => server.info().processed > 0, 'the chunk ran')
      assert.equal(
        await queue.unfinishedTasks(),
        1,
        'the chunk whose reply failed is not acknowledged',
      )
      await mp.redis.del(keys.replies)
      const replies = await mp.openBlockingClient()
      const reply = await replies.blpop(keys.replies, 10)
      assert.deepEqual(JSON.parse(reply?.[1] ?? 'null'), {
        chunk: 0,
        outcome: { ok: true, results: [42] },
      })
      await queue.join({ timeout: 10_000 })
      assert.ok(server.info().processed >= 2, 'the chunk ran again')
    })

    it('among fast chunks taken ahead, one whose reply fails is still not acknowledged', async (t) => {
      const mp = await openContext(t, topology)
      const good = poolKeys(mp, 'good')
      const broken = poolKeys(mp, 'broken')
      await mp.redis.set(broken.replies, 'not a list')
      const jobs: PoolJob[] = Array.from({ length: 40 }, (_, chunk) => ({
        pool: 'good',
        chunk,
        task: 'double',
        items: [chunk],
      }))
      jobs.splice(20, 0, { pool: 'broken', chunk: 0, task: 'double', items: [21] })
      const queue = mp.joinableQueue<PoolJob>('jobs')
      await queue.putMany(jobs)
      const server = await serve(mp, { queue: 'jobs', tasks, heartbeatMs: 100 })
      t.after(() => server.stop())
      // the chunks before the broken one ran fast, so it was taken ahead; it ran, and its reply failed
      await until(() => server.info().processed >= 21, 'the broken chunk ran')
      assert.ok((await queue.unfinishedTasks()) >= 1, 'the chunk whose reply failed is unfinished')
      await mp.redis.del(broken.replies)
      const replies = await mp.openBlockingClient()
      const reply = await replies.blpop(broken.replies, 10)
      assert.deepEqual(JSON.parse(reply?.[1] ?? 'null'), {
        chunk: 0,
        outcome: { ok: true, results: [42] },
      })
      const answered = new Set<number>()
      while (answered.size < 40) {
        const next = await replies.blpop(good.replies, 10)
        assert.ok(next, `only ${answered.size} of 40 good chunks were answered`)
        answered.add((JSON.parse(next[1]) as { chunk: number }).chunk)
      }
      await queue.join({ timeout: 10_000 })
    })

    it('serve acknowledges and drops an item that is not a pool chunk, and goes on', async (t) => {
      const mp = await openContext(t, topology)
      const queue = mp.joinableQueue('jobs')
      await queue.putMany([{ not: 'a chunk' }, null, 'text'])
      const server = await serve(mp, { queue: 'jobs', tasks, heartbeatMs: 100 })
      t.after(() => server.stop())
      await queue.join({ timeout: 10_000 })
      assert.deepEqual(await mp.pool({ queue: 'jobs' }).map('double', [1, 2]), [2, 4])
      assert.equal(server.info().processed, 2)
    })

    it('a map on a queue that was shut down fails with SHUTDOWN instead of waiting', async (t) => {
      const mp = await openContext(t, topology)
      await mp.joinableQueue('tasks').shutdown()
      await assert.rejects(mp.pool().map('double', [1, 2, 3], { chunksize: 1 }), (e) =>
        isRedprocError(e, 'SHUTDOWN'),
      )
    })

    it('serve refuses bad options before it starts anything', async (t) => {
      const mp = await openContext(t, topology)
      const refused: [unknown, ErrorCode][] = [
        [{ tasks, prefetch: 0 }, 'VALUE_ERROR'],
        [{ tasks, heartbeatMs: 0 }, 'VALUE_ERROR'],
        [{ tasks, heartbeatMs: Number.NaN }, 'TYPE_ERROR'],
        [{ tasks: null }, 'TYPE_ERROR'],
        [{}, 'TYPE_ERROR'],
        [{ tasks, queue: 'no spaces' }, 'INVALID_NAME'],
        [{ tasks, concurrency: '2' }, 'TYPE_ERROR'],
        [{ tasks, threads: { count: 2 } }, 'TYPE_ERROR'],
        [{ tasks, bogus: 1 }, 'TYPE_ERROR'],
        [null, 'TYPE_ERROR'],
      ]
      for (const [options, code] of refused) {
        await assert.rejects(serve(mp, options as ServeOptions), (e) => isRedprocError(e, code))
      }
      assert.deepEqual(await listWorkers(mp, 'tasks'), [])
    })

    it('a serving process sees a pool terminated within TERMINATION_FRESH_MS', async (t) => {
      const mp = await openContext(t, topology)
      const terminations = new Terminations(mp)
      assert.equal(await terminations.terminated('p'), false)
      await mp.redis.set(poolKeys(mp, 'p').terminated, '1')
      await sleep(TERMINATION_FRESH_MS + 1)
      assert.equal(await terminations.terminated('p'), true)
      // an answer read along with a reply is taken as it is
      terminations.note('q', true)
      assert.equal(await terminations.terminated('q'), true)
    })

    it('a serving process with prefetch 1 shares a map with one that takes ahead', async (t) => {
      const mp = await openContext(t, topology)
      const one = await serve(mp, { queue: 'jobs', tasks, prefetch: 1, heartbeatMs: 100 })
      const ahead = await serve(mp, { queue: 'jobs', tasks, prefetch: 16, heartbeatMs: 100 })
      t.after(async () => {
        await one.stop()
        await ahead.stop()
      })
      const items = Array.from({ length: 300 }, (_, i) => i)
      const results = await mp.pool({ queue: 'jobs' }).map('double', items, { chunksize: 1 })
      assert.deepEqual(
        results,
        items.map((n) => n * 2),
      )
      assert.equal(one.info().processed + ahead.info().processed, 300)
    })
  })
}
