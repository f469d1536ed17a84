import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type ErrorCode, isRedprocError, type Pool, type PoolOptions } from '../src/index.js'
import * as taskFunctions from './fixtures/tasks.js'
import { openContext } from './support/redis.js'

const tasks = new URL('./fixtures/tasks.ts', import.meta.url)

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

async function openPool(t: Parameters<typeof openContext>[0], processes = 2): Promise<Pool> {
  const mp = await openContext(t)
  return mp.pool({ backend: 'local', tasks, processes })
}

describe('pool (local backend)', () => {
  it('maps in order, for chunksize 1, 7 and the default', async (t) => {
    const pool = await openPool(t)
    const items = Array.from({ length: 50 }, (_, i) => i)
    const expected = items.map((n) => n * 2)
    for (const chunksize of [1, 7, undefined]) {
      assert.deepEqual(
        await pool.map('double', items, { chunksize }),
        expected,
        `chunksize ${chunksize}`,
      )
    }
  })

  it('takes plain and promised results alike, in one chunk', async (t) => {
    const pool = await openPool(t)
    const items = Array.from({ length: 10 }, (_, i) => i)
    assert.deepEqual(
      await pool.map('sometimesAsync', items, { chunksize: 5 }),
      items.map((n) => n * 2),
    )
  })

  it('returns an empty result for empty input', async (t) => {
    const pool = await openPool(t)
    assert.deepEqual(await pool.map('double', []), [])
  })

  it('starmaps, applies, and spreads arguments', async (t) => {
    const pool = await openPool(t)
    assert.deepEqual(
      await pool.starmap('add', [
        [1, 2],
        [3, 4],
      ]),
      [3, 7],
    )
    assert.equal(await pool.apply('add', [20, 22]), 42)
    assert.equal(await pool.apply('nothing'), null)
  })

  it('imap yields in order as results arrive; imapUnordered yields them all', async (t) => {
    const pool = await openPool(t)
    const ordered: number[] = []
    for await (const r of pool.imap<number>('slowDouble', [5, 1, 4, 2, 3])) ordered.push(r)
    assert.deepEqual(ordered, [10, 2, 8, 4, 6])
    const unordered: number[] = []
    for await (const r of pool.imapUnordered<number>('double', [1, 2, 3, 4], { chunksize: 2 }))
      unordered.push(r)
    assert.deepEqual(
      unordered.sort((a, b) => a - b),
      [2, 4, 6, 8],
    )
  })

  it('imap streams an endless input, holding only a window of chunks', async (t) => {
    const pool = await openPool(t)
    let produced = 0
    function* naturals() {
      for (let n = 0; ; n++) {
        produced = n + 1
        yield n
      }
    }
    let seen = 0
    for await (const r of pool.imap<number>('double', naturals(), { chunksize: 10 })) {
      assert.equal(r, seen * 2)
      if (++seen === 1000) break
    }
    assert.ok(produced < 1000 + 10 * 2 * 2 + 10, `read ${produced} items ahead of 1000 results`)
  })

  it('imap over 1,000,000 items keeps the memory of the caller bounded', async (t) => {
    const pool = await openPool(t)
    function* million() {
      for (let n = 0; n < 1_000_000; n++) yield n
    }
    const liveHeap = () => {
      collectGarbage()
      return process.memoryUsage().heapUsed
    }
    const before = liveHeap()
    let peak = before
    let count = 0
    let sum = 0
    for await (const r of pool.imap<number>('double', million(), { chunksize: 1000 })) {
      sum += r
      if (++count % 100_000 === 0) peak = Math.max(peak, liveHeap())
    }
    assert.equal(count, 1_000_000)
    assert.equal(sum, 999_999_000_000)
    // what stays alive is a window of chunks; a million results would be tens of MB
    const grownMb = (peak - before) / 1048576
    assert.ok(grownMb < 8, `live heap grew by ${grownMb.toFixed(1)} MB`)
  })

  it('reports a task that throws as REMOTE_TASK_FAILED with the remote stack', async (t) => {
    const pool = await openPool(t)
    await assert.rejects(pool.map('fail', ['boom']), (error) => {
      assert.ok(isRedprocError(error, 'REMOTE_TASK_FAILED'))
      const remote = (error as unknown as { remote: Record<string, unknown> }).remote
      assert.equal(remote.message, 'boom')
      assert.equal(remote.task, 'fail')
      assert.equal(remote.pid, process.pid)
      assert.match(String(remote.stack), /at fail/)
      return true
    })
  })

  it('reports a result that is not JSON as REMOTE_TASK_FAILED', async (t) => {
    const pool = await openPool(t)
    await assert.rejects(
      pool.apply('date'),
      (error) => isRedprocError(error, 'REMOTE_TASK_FAILED') && /Date/.test(String(error)),
    )
  })

  it('fails with UNKNOWN_TASK for a task the module does not export', async (t) => {
    const pool = await openPool(t)
    await assert.rejects(
      pool.map('nope', [1]),
      (error) => isRedprocError(error, 'UNKNOWN_TASK') && /known: .*double/.test(String(error)),
    )
  })

  it('refuses bad input before sending anything', async (t) => {
    const pool = await openPool(t)
    await assert.rejects(pool.map('double', [1, undefined as never]), (e) =>
      isRedprocError(e, 'NOT_SERIALIZABLE'),
    )
    await assert.rejects(pool.map('double', 5 as never), (e) => isRedprocError(e, 'TYPE_ERROR'))
    await assert.rejects(pool.map(7 as never, [1]), (e) => isRedprocError(e, 'TYPE_ERROR'))
    await assert.rejects(pool.map('double', [1], { chunksize: 0 }), (e) =>
      isRedprocError(e, 'VALUE_ERROR'),
    )
    await assert.rejects(pool.apply('add', 'x' as never), (e) => isRedprocError(e, 'TYPE_ERROR'))
  })

  it('applyAsync and mapAsync return AsyncResults with callbacks', async (t) => {
    const pool = await openPool(t)
    const seen: unknown[] = []
    const result = pool.applyAsync('add', [1, 1], { callback: (r) => seen.push(r) })
    assert.equal(await result.get(), 2)
    assert.equal(result.ready(), true)
    assert.equal(result.successful(), true)
    assert.deepEqual(seen, [2])

    const errors: unknown[] = []
    const failing = pool.mapAsync('fail', ['x'], { errorCallback: (e) => errors.push(e) })
    assert.equal(await failing.wait(), true)
    assert.equal(failing.successful(), false)
    await assert.rejects(failing.get(), (e) => isRedprocError(e, 'REMOTE_TASK_FAILED'))
    assert.equal(errors.length, 1)
  })

  it('AsyncResult.get times out with TIMEOUT, and successful() refuses while pending', async (t) => {
    const pool = await openPool(t)
    const slow = pool.applyAsync('slowDouble', [1, 500])
    assert.throws(
      () => slow.successful(),
      (e) => isRedprocError(e, 'VALUE_ERROR'),
    )
    await assert.rejects(slow.get({ timeout: 50 }), (e) => isRedprocError(e, 'TIMEOUT'))
    assert.equal(await slow.wait({ timeout: 10 }), false)
    assert.equal(await slow.get(), 2)
  })

  it('close then join waits for submitted work and refuses new work', async (t) => {
    const pool = await openPool(t)
    await assert.rejects(pool.join(), (e) => isRedprocError(e, 'VALUE_ERROR'))
    const pending = pool.mapAsync('slowDouble', [1, 2, 3])
    pool.close()
    await assert.rejects(pool.map('double', [1]), (e) => isRedprocError(e, 'VALUE_ERROR'))
    await pool.join()
    assert.equal(pending.ready(), true)
    assert.deepEqual(await pending.get(), [2, 4, 6])
  })

  it('terminate cancels what has not started', async (t) => {
    const pool = await openPool(t, 1)
    const pending = pool.mapAsync(
      'slowDouble',
      Array.from({ length: 20 }, (_, i) => i),
      { chunksize: 1 },
    )
    await pool.terminate()
    await assert.rejects(pending.get(), (e) => isRedprocError(e, 'SHUTDOWN'))
  })

  it('imap over an input that throws at item 3 yields items 0-2, then the error', async (t) => {
    const pool = await openPool(t)
    function* failingAt3() {
      for (let n = 0; ; n++) {
        if (n === 3) throw new Error('input broke at 3')
        yield n
      }
    }
    const seen: number[] = []
    await assert.rejects(async () => {
      for await (const r of pool.imap<number>('slowDouble', failingAt3())) seen.push(r)
    }, /input broke at 3/)
    assert.deepEqual(seen, [0, 2, 4])
    // a task failing at item 3, and an item 3 that is not JSON, come in order too
    const failing: [Iterable<unknown>, ErrorCode][] = [
      [[0, 1, 2, 'not a number', 4], 'REMOTE_TASK_FAILED'],
      [[0, 1, 2, undefined, 4], 'NOT_SERIALIZABLE'],
    ]
    for (const [input, code] of failing) {
      const before: number[] = []
      await assert.rejects(
        async () => {
          for await (const r of pool.imap<number>('double', input as number[])) before.push(r)
        },
        (e) => isRedprocError(e, code),
      )
      assert.deepEqual(before, [0, 2, 4], code)
    }
  })

  it('takes the exported task function itself, typed by it', async (t) => {
    const pool = await openPool(t)
    const doubled: number[] = await pool.map(taskFunctions.double, [1, 2, 3])
    assert.deepEqual(doubled, [2, 4, 6])
    const sums: number[] = await pool.starmap(taskFunctions.add, [[1, 2]])
    assert.deepEqual(sums, [3])
    const nothing: null = await pool.apply(taskFunctions.nothing)
    assert.equal(nothing, null)
    const where = await pool.applyAsync(taskFunctions.where, [7]).get()
    assert.equal(where.n, 7)
    const streamed: number[] = []
    for await (const r of pool.imap(taskFunctions.slowDouble, [5, 6])) streamed.push(r)
    assert.deepEqual(streamed, [10, 12])
    assert.throws(
      () => pool.imap((n: number) => n, [1]),
      (e) => isRedprocError(e, 'TYPE_ERROR') && /without a name/.test(String(e)),
    )
  })

  it('onProgress counts the items done, up to the total', async (t) => {
    const pool = await openPool(t)
    const seen: { done: number; total: number }[] = []
    const items = Array.from({ length: 20 }, (_, i) => i)
    const pending = pool.mapAsync('double', items, {
      chunksize: 3,
      onProgress: (progress) => seen.push(progress),
    })
    assert.deepEqual(
      await pending.get(),
      items.map((n) => n * 2),
    )
    assert.equal(seen.length, 7, 'once per chunk')
    assert.deepEqual(seen.at(-1), { done: 20, total: 20 })
    for (let i = 1; i < seen.length; i++)
      assert.ok((seen[i]?.done ?? 0) > (seen[i - 1]?.done ?? 0), 'done only grows')
  })

  it('await using terminates the pool at the end of the block', async (t) => {
    const mp = await openContext(t)
    let kept: Pool
    {
      await using pool = mp.pool({ backend: 'local', tasks, processes: 1 })
      kept = pool
      assert.deepEqual(await pool.map('double', [1]), [2])
    }
    await assert.rejects(kept.map('double', [1]), (e) => /terminated/.test(String(e)))
  })

  it('a result that is not ready in time says where the work runs', async (t) => {
    const pool = await openPool(t)
    const slow = pool.applyAsync('slowDouble', [1, 400])
    await assert.rejects(
      slow.get({ timeout: 20 }),
      (e) => isRedprocError(e, 'TIMEOUT') && /within 20 ms \(2 worker threads\)/.test(String(e)),
    )
  })

  it('refuses bad pool options with TYPE_ERROR or VALUE_ERROR', async (t) => {
    const mp = await openContext(t)
    const refused: [unknown, ErrorCode][] = [
      [{ backend: 'local', tasks, processes: 0 }, 'VALUE_ERROR'],
      [{ backend: 'processes', tasks, processes: -1 }, 'VALUE_ERROR'],
      [{ backend: 'threads', tasks, processes: 1.5 }, 'TYPE_ERROR'],
      [{ backend: 'forks', tasks }, 'VALUE_ERROR'],
      [{ backend: 'threads', tasks, maxTasksPerChild: 0 }, 'VALUE_ERROR'],
      [{ backend: 'threads', tasks, initargs: 'x' }, 'TYPE_ERROR'],
      [{ backend: 'threads', tasks, initargs: [new Date()] }, 'NOT_SERIALIZABLE'],
      [{ backend: 'threads', tasks, initializer: 7 }, 'TYPE_ERROR'],
      [{ backend: 'threads' }, 'TYPE_ERROR'],
      [{ backend: 'redis', initializer: 'setUp' }, 'TYPE_ERROR'],
      [{ backend: 'redis', maxTasksPerChild: 2 }, 'TYPE_ERROR'],
    ]
    for (const [options, code] of refused) {
      assert.throws(
        () => mp.pool(options as PoolOptions),
        (e) => isRedprocError(e, code),
        JSON.stringify(options),
      )
    }
    const pool = await openPool(t)
    await assert.rejects(pool.map('double', [1], { timeout: -1 }), (e) =>
      isRedprocError(e, 'VALUE_ERROR'),
    )
    await assert.rejects(pool.map('double', [1], { onProgress: 'x' as never }), (e) =>
      isRedprocError(e, 'TYPE_ERROR'),
    )
    assert.throws(
      () => pool.imap('double', [1], { onProgress: () => {} } as never),
      (e) => isRedprocError(e, 'TYPE_ERROR'),
    )
  })

  it('parmap uses the pool the context was given', async (t) => {
    const mp = await openContext(t)
    const local = await (await import('../src/index.js')).connect({
      redis: mp.options.redis,
      namespace: mp.options.namespace,
      pool: { backend: 'local', tasks, processes: 2 },
    })
    t.after(() => local.close())
    assert.deepEqual(await local.parmap('double', [1, 2, 3]), [2, 4, 6])
  })
})
