import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { isRedprocError, type LocalPoolOptions, type Pool } from '../src/index.js'
import * as tasks from './fixtures/tasks.js'
import { openContext } from './support/redis.js'

const tasksModule = new URL('./fixtures/tasks.ts', import.meta.url)

type Kind = 'threads' | 'processes'

async function openPool(
  t: TestContext,
  backend: Kind,
  options: Partial<Omit<LocalPoolOptions, 'backend' | 'tasks'>> = {},
): Promise<Pool> {
  const mp = await openContext(t)
  return mp.pool({ backend, tasks: tasksModule, processes: 2, ...options })
}

interface Remote {
  remote: { pid: number; threadId: number; message: string; task: string }
}

/** Which worker ran an item: a child process by its pid, a thread by its id. */
function workerOf(kind: Kind, ran: { pid: number; threadId: number }): number {
  return kind === 'processes' ? ran.pid : ran.threadId
}

for (const kind of ['threads', 'processes'] as const) {
  describe(`pool on worker ${kind}`, () => {
    it('runs the tasks off the caller', async (t) => {
      const pool = await openPool(t, kind)
      const ran = await pool.map(tasks.whereExactly, [1, 2, 3, 4], { chunksize: 1 })
      assert.deepEqual(
        ran.map((r) => r.n),
        [1, 2, 3, 4],
      )
      for (const r of ran) {
        if (kind === 'processes') assert.notEqual(r.pid, process.pid)
        else assert.ok(r.pid === process.pid && r.threadId !== 0, 'on a thread of this process')
      }
    })

    it('a task that calls process.exit fails its call with REMOTE_TASK_FAILED; the pool goes on', async (t) => {
      const pool = await openPool(t, kind)
      await assert.rejects(pool.apply(tasks.exit, [3]), (error) => {
        assert.ok(isRedprocError(error, 'REMOTE_TASK_FAILED'))
        const { remote } = error as unknown as Remote
        assert.equal(remote.task, 'exit')
        assert.match(remote.message, /worker (thread|process) \d+ exited with code 3 while running/)
        return true
      })
      assert.deepEqual(await pool.map(tasks.double, [1, 2, 3], { chunksize: 1 }), [2, 4, 6])
    })

    it('a task that crashes its worker fails its call; the other calls complete', async (t) => {
      const pool = await openPool(t, kind)
      const crashing = pool.apply(tasks.crash, ['out of reach'])
      const others = pool.map(tasks.slowDouble, [1, 2, 3, 4], { chunksize: 1 })
      await assert.rejects(crashing, (error) => {
        assert.ok(isRedprocError(error, 'REMOTE_TASK_FAILED'))
        const expected = kind === 'processes' ? /exited with code 1/ : /failed: out of reach/
        assert.match((error as unknown as Remote).remote.message, expected)
        return true
      })
      assert.deepEqual(await others, [2, 4, 6, 8])
    })

    it('runs the initializer once in each worker, with initargs', async (t) => {
      const pool = await openPool(t, kind, { initializer: tasks.setUp, initargs: ['ready'] })
      const seen = await pool.map(tasks.initialization, [null, null, null, null], { chunksize: 1 })
      assert.deepEqual(seen, Array(4).fill({ tag: 'ready', runs: 1 }))
    })

    it('an initializer that throws fails the calls with its message, and is tried again', async (t) => {
      const pool = await openPool(t, kind, { initializer: 'failToSetUp', initargs: ['no db'] })
      for (let attempt = 0; attempt < 2; attempt++) {
        await assert.rejects(
          pool.map(tasks.double, [1, 2]),
          (error) =>
            isRedprocError(error, 'REMOTE_TASK_FAILED') &&
            /could not start: the initializer 'failToSetUp' failed: no db/.test(String(error)),
        )
      }
      const unknown = await openPool(t, kind, { initializer: 'nowhere' })
      await assert.rejects(unknown.apply(tasks.double, [1]), (error) =>
        /the initializer 'nowhere' is not a task of/.test(String(error)),
      )
    })

    it('maxTasksPerChild replaces a worker after that many chunks', async (t) => {
      const pool = await openPool(t, kind, { processes: 1, maxTasksPerChild: 2 })
      const ran = await pool.map(tasks.whereExactly, [1, 2, 3, 4, 5, 6], { chunksize: 1 })
      const workers = ran.map((r) => workerOf(kind, r))
      assert.equal(new Set(workers).size, 3, `workers ${workers.join(', ')}`)
      assert.equal(workers[0], workers[1])
      assert.notEqual(workers[1], workers[2])
    })

    it('a per-task timeout stops a task that never yields, and the pool goes on', async (t) => {
      const pool = await openPool(t, kind, { processes: 1 })
      const started = performance.now()
      await assert.rejects(pool.apply(tasks.spin, [60_000], { timeout: 300 }), (error) => {
        assert.ok(isRedprocError(error, 'TIMEOUT'))
        assert.match(
          String(error),
          /ran longer than its timeout of 300 ms; its worker .* was stopped/,
        )
        return true
      })
      assert.ok(performance.now() - started < 10_000, 'the spinning task was not stopped')
      assert.deepEqual(await pool.map(tasks.double, [1, 2]), [2, 4])
    })

    it('the timeout bounds each item, not the chunk', async (t) => {
      const pool = await openPool(t, kind, { processes: 1 })
      const items = [
        [1, 150],
        [2, 150],
        [3, 150],
      ] as [number, number][]
      // 450 ms in all, each item well under its 400 ms
      assert.deepEqual(
        await pool.starmap(tasks.slowDouble, items, { chunksize: 3, timeout: 400 }),
        [2, 4, 6],
      )
      await assert.rejects(
        pool.starmap(tasks.slowDouble, [...items, [4, 5000]], { chunksize: 4, timeout: 400 }),
        (error) => isRedprocError(error, 'TIMEOUT'),
      )
    })
  })
}
