import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Context, isRedprocError, listWorkers, serve } from '../src/index.js'
import * as tasks from './fixtures/tasks.js'
import { exitOf, startChild } from './support/processes.js'
import { openContext } from './support/redis.js'

async function startWorkers(
  t: Parameters<typeof startChild>[0],
  mp: Context,
  count: number,
  concurrency = 2,
) {
  return Promise.all(
    Array.from({ length: count }, () =>
      startChild(t, 'pool-serve', [mp.options.namespace, 'tasks', String(concurrency)]),
    ),
  )
}

describe('pool (redis backend)', () => {
  it('two serving processes share a map; results are complete and in order', async (t) => {
    const mp = await openContext(t)
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
    const mp = await openContext(t)
    assert.deepEqual(await mp.pool().map('double', []), [])
  })

  it('starmaps, applies and streams with imap', async (t) => {
    const mp = await openContext(t)
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
    const mp = await openContext(t)
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
    const mp = await openContext(t)
    await startWorkers(t, mp, 1)
    await assert.rejects(mp.pool().map('nope', [1, 2]), (error) =>
      isRedprocError(error, 'UNKNOWN_TASK'),
    )
  })

  it('AsyncResult.get times out with TIMEOUT', async (t) => {
    const mp = await openContext(t)
    await startWorkers(t, mp, 1)
    const result = mp.pool().applyAsync('slowDouble', [1, 400])
    await assert.rejects(result.get({ timeout: 50 }), (e) => isRedprocError(e, 'TIMEOUT'))
    assert.equal(await result.get(), 2)
  })

  it('terminate cancels the chunks no worker has started', async (t) => {
    const mp = await openContext(t)
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
    const mp = await openContext(t)
    await startWorkers(t, mp, 1)
    const pool = mp.pool()
    const pending = pool.mapAsync('slowDouble', [1, 2, 3])
    pool.close()
    await pool.join()
    assert.deepEqual(await pending.get(), [2, 4, 6])
  })

  it('redelivers the chunks of a worker killed mid-task, and the map completes', async (t) => {
    const mp = await openContext(t)
    const [doomed] = await startWorkers(t, mp, 1, 4)
    const pool = mp.pool()
    const items = Array.from({ length: 8 }, () => [1, 500])
    const pending = pool.starmapAsync<number>('slowDouble', items, { chunksize: 1 })
    // let the doomed worker take items, then kill it before it can answer
    while (!(await listWorkers(mp, 'tasks')).some((w) => w.current.length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    doomed?.kill('SIGKILL')
    await startWorkers(t, mp, 1, 4)
    assert.deepEqual(await pending.get({ timeout: 60_000 }), Array(8).fill(2))
  })

  it('serve lists its worker with its figures, and stop() leaves the list', async (t) => {
    const mp = await openContext(t)
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

  it('a serving process stopped by SIGTERM finishes its item and exits 0', async (t) => {
    const mp = await openContext(t)
    const [worker] = await startWorkers(t, mp, 1, 1)
    const pending = mp.pool().applyAsync('slowDouble', [21, 300])
    while (!(await listWorkers(mp, 'tasks')).some((w) => w.current.length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    worker?.kill('SIGTERM')
    assert.equal(await pending.get({ timeout: 10_000 }), 42)
    assert.equal(await exitOf(worker as never), 0)
  })
})
