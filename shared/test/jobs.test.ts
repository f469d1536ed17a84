import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Queue } from 'bullmq'
import {
  type Context,
  type FinishedJob,
  type Json,
  listQueues,
  listWorkers,
  RUN_TIME_BOUNDS_MS,
  serve,
} from '../src/index.js'
import type { Job } from '../src/pool/wire.js'
import * as tasks from './fixtures/tasks.js'
import { hasCode } from './support/error-codes.js'
import { commandCalls, startPrivateRedis } from './support/private-redis.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

/** A BullMQ Queue on a joinable queue's layout, closed with the test. */
function bullmqQueue(mp: Context, name: string): Queue {
  const { bullmq } = mp.joinableQueue(name)
  return new Queue(bullmq.name, { prefix: bullmq.prefix, connection: mp.redis })
}

for (const topology of TOPOLOGIES) {
  describe(`jobs of a joinable queue (${topology})`, () => {
    it('putJobs returns ids in order; a serving process stores each result', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Job>('jobs')
      const put = await q.putJobs(
        [1, 2, 3].map((n) => ({ name: 'double', data: { task: 'double', args: [n] } })),
      )
      assert.deepEqual(
        put.map((p) => p.created),
        [true, true, true],
      )
      assert.equal(new Set(put.map((p) => p.id)).size, 3)
      const waited = q.getJob(put[2]?.id as string, { wait: 10_000 })
      await using _server = await serve(mp, { queue: 'jobs', tasks, concurrency: 2 })
      const last = await waited
      assert.equal(last?.state, 'completed')
      assert.equal(last?.result, 6)
      await q.join({ timeout: 10_000 })
      for (const [i, { id }] of put.entries()) {
        const job = await q.getJob(id)
        assert.equal(job?.result, (i + 1) * 2)
        assert.equal(job?.name, 'double')
        assert.equal(job?.attemptsMade, 1)
        assert.ok((job?.finishedOn ?? 0) >= (job?.timestamp ?? Infinity))
      }
      const { runTimes, ...counts } = await q.counts()
      assert.deepEqual(counts, {
        waiting: 0,
        active: 0,
        delayed: 0,
        completed: 3,
        failed: 0,
        unfinished: 0,
        shutdown: null,
        totals: { completed: 3, failed: 0 },
      })
      assert.equal(runTimes.buckets.length, RUN_TIME_BOUNDS_MS.length + 1)
      assert.equal(
        runTimes.buckets.reduce((sum, n) => sum + n, 0),
        3,
        'each run is in one bucket',
      )
      await q.close()
    })

    it('totals and run times outlive the jobs that retention removes', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Json>('retained')
      await q.put('acknowledged by hand')
      assert.equal(await q.get(), 'acknowledged by hand')
      await q.taskDone()
      await q.putJobs([
        {
          name: 'slowDouble',
          data: { task: 'slowDouble', args: [1, 30] },
          opts: { removeOnComplete: true },
        },
        { name: 'fail', data: { task: 'fail', args: ['no'] }, opts: { removeOnFail: true } },
      ])
      await using _server = await serve(mp, { queue: 'retained', tasks, concurrency: 1 })
      await q.join({ timeout: 10_000 })
      const counts = await q.counts()
      assert.equal(counts.completed + counts.failed, 0, 'nothing is kept')
      assert.deepEqual(counts.totals, { completed: 2, failed: 1 })
      const slow = RUN_TIME_BOUNDS_MS.findIndex((bound) => bound >= 30)
      assert.equal(
        counts.runTimes.buckets.slice(slow).reduce((sum, n) => sum + n, 0) >= 1,
        true,
        `the 30 ms run is counted at or above ${RUN_TIME_BOUNDS_MS[slow]} ms: ${counts.runTimes.buckets}`,
      )
      assert.ok(counts.runTimes.totalMs >= 30, `the runs took ${counts.runTimes.totalMs} ms`)
      await q.close()
    })

    it('a chosen jobId put again with the same data enqueues nothing', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Json>('jobs')
      const first = await q.putJobs([{ data: { n: 1 }, opts: { jobId: 'order-7' } }])
      const again = await q.putJobs([
        { data: { n: 1 }, opts: { jobId: 'order-7' } },
        { data: { n: 1 }, opts: { jobId: 'order-7' } },
      ])
      assert.deepEqual(first, [{ id: 'order-7', created: true }])
      assert.deepEqual(again, [
        { id: 'order-7', created: false },
        { id: 'order-7', created: false },
      ])
      assert.equal((await q.counts()).waiting, 1)
      assert.equal(await q.unfinishedTasks(), 1)
      await q.close()
    })

    it('refuses a reused jobId with other data, and changes nothing', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Json>('jobs')
      await q.putJob({ n: 1 }, { jobId: 'order-7' })
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () =>
        q.putJobs([{ data: 'fresh' }, { data: { n: 2 }, opts: { jobId: 'order-7' } }]),
      )
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () =>
        q.putJobs([
          { data: 1, opts: { jobId: 'twice' } },
          { data: 2, opts: { jobId: 'twice' } },
        ]),
      )
      await q.close()
    })

    it('checks a batch over several round trips whole before writing any of it', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Json>('jobs')
      await q.putJob('taken', { jobId: 'late' })
      const jobs = Array.from({ length: 2500 }, (_, i) => ({ data: i }))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () =>
        q.putJobs([...jobs, { data: 'other', opts: { jobId: 'late' } }]),
      )
      await q.close()
    })

    it('refuses bad jobs and options before Redis is touched', async (t) => {
      const mp = await openContext(t, topology)
      const q = mp.joinableQueue<Json>('jobs')
      const refuse = (code: Parameters<typeof hasCode>[0], job: unknown) =>
        assertRefusedWithoutWrite(mp, code, () => q.putJobs([job as { data: Json }]))
      await refuse('VALUE_ERROR', { data: 1, opts: { priority: 1 } })
      await refuse('TYPE_ERROR', { data: 1, opts: { attemps: 3 } })
      await refuse('TYPE_ERROR', { data: 1, opts: { attempts: '3' } })
      await refuse('VALUE_ERROR', { data: 1, opts: { attempts: 0 } })
      await refuse('VALUE_ERROR', { data: 1, opts: { backoff: { type: 'linear', delay: 1 } } })
      await refuse('INVALID_NAME', { data: 1, opts: { jobId: '42' } })
      await refuse('INVALID_NAME', { data: 1, opts: { jobId: 'a:b' } })
      await refuse('NOT_SERIALIZABLE', { data: { when: new Date() } })
      await refuse('TYPE_ERROR', 'not a job')
      await assert.rejects(q.getJob('no such'), hasCode('INVALID_NAME'))
      assert.equal(await q.getJob('404'), undefined)
      await q.close()
    })

    it('after shutdown putJobs fails with SHUTDOWN; a full bounded queue with FULL', async (t) => {
      const mp = await openContext(t, topology)
      const bounded = mp.joinableQueue<Json>('bounded', { maxsize: 2 })
      await bounded.put(1)
      await assertRefusedWithoutWrite(mp, 'FULL', () => bounded.putJobs([{ data: 2 }, { data: 3 }]))
      const q = mp.joinableQueue<Json>('jobs')
      await q.shutdown()
      await assertRefusedWithoutWrite(mp, 'SHUTDOWN', () => q.putJob(1))
      await bounded.close()
      await q.close()
    })
  })
}

describe('jobs served (single)', () => {
  it('retries a failing task with backoff, then fails it with the remote message and stack', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Job>('jobs')
    const finished: FinishedJob[] = []
    await using _server = await serve(mp, {
      queue: 'jobs',
      tasks,
      onFinished: (job) => finished.push(job),
    })
    const id = await q.putJob(
      { task: 'fail', args: ['out of cheese'] },
      { attempts: 3, backoff: { type: 'exponential', delay: 50 }, removeOnFail: false },
    )
    const job = await q.getJob(id, { wait: 10_000 })
    assert.equal(job?.state, 'failed')
    assert.equal(job?.attemptsMade, 3)
    const lock = `${q.bullmq.prefix}:${q.bullmq.name}:${id}:lock`
    assert.equal(await mp.redis.exists(lock), 0, 'a kept failed job holds no lock')
    assert.equal(job?.error?.code, 'REMOTE_TASK_FAILED')
    assert.equal(job?.error?.message, 'out of cheese')
    assert.match(job?.error?.stack ?? '', /out of cheese\n\s+at fail/)
    assert.deepEqual(
      finished.map((f) => f.finishedAs),
      ['retrying', 'retrying', 'failed'],
    )
    assert.equal(await q.unfinishedTasks(), 0)
    await q.close()
  })

  it('fails a job naming an unknown task with UNKNOWN_TASK and keeps serving', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Job>('jobs')
    await using _server = await serve(mp, { queue: 'jobs', tasks })
    const keep = { removeOnComplete: false, removeOnFail: false }
    const unknown = await q.putJob({ task: 'nope', args: [] }, keep)
    const fine = await q.putJob({ task: 'add', args: [2, 3] }, keep)
    const notAJob = await q.putJob({ what: 'ever' } as unknown as Job, keep)
    assert.equal((await q.getJob(unknown, { wait: 10_000 }))?.error?.code, 'UNKNOWN_TASK')
    assert.equal((await q.getJob(fine, { wait: 10_000 }))?.result, 5)
    assert.equal((await q.getJob(notAJob, { wait: 10_000 }))?.error?.code, 'VALUE_ERROR')
    await q.close()
  })

  it('holds a delayed job back until it is due, then runs it', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Job>('jobs')
    await using _server = await serve(mp, { queue: 'jobs', tasks })
    const put = Date.now()
    const id = await q.putJob(
      { task: 'double', args: [4] },
      { delay: 300, removeOnComplete: false },
    )
    assert.equal((await q.getJob(id))?.state, 'delayed')
    assert.equal((await q.counts()).delayed, 1)
    const job = await q.getJob(id, { wait: 10_000 })
    assert.equal(job?.result, 8)
    assert.ok((job?.processedOn ?? 0) - put >= 300, 'ran before its delay ended')
    await q.join({ timeout: 5000 })
    await q.close()
  })

  it('getJob with wait answers with the state then, when the job does not finish', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Json>('jobs')
    const id = await q.putJob('nobody takes this')
    const started = performance.now()
    const job = await q.getJob(id, { wait: 200 })
    assert.equal(job?.state, 'waiting')
    assert.ok(performance.now() - started >= 200)
    await q.close()
  })

  it('keeps finished jobs as removeOnComplete says, visible to BullMQ', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Job>('jobs')
    await using _server = await serve(mp, { queue: 'jobs', tasks })
    const put = await q.putJobs(
      [1, 2, 3].map((n) => ({
        data: { task: 'double', args: [n] },
        opts: { removeOnComplete: 2 },
      })),
    )
    await q.join({ timeout: 10_000 })
    const bull = bullmqQueue(mp, 'jobs')
    t.after(() => bull.close())
    assert.equal((await bull.getJobCounts('completed')).completed, 2)
    assert.equal(await q.getJob(put[0]?.id as string), undefined, 'the oldest was trimmed')
    const job = await bull.getJob(put[2]?.id as string)
    assert.equal(job?.returnvalue, 6)
    assert.equal(await job?.getState(), 'completed')
    await q.close()
  })

  it('by default keeps finished jobs a day and up to a count: a busy queue does not pile them up', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Job>('busy')
    const [put] = await q.putJobs([{ data: { task: 'double', args: [1] } }])
    const bull = bullmqQueue(mp, 'busy')
    t.after(() => bull.close())
    const job = await bull.getJob(put?.id as string)
    assert.deepEqual(job?.opts.removeOnComplete, { age: 86_400, count: 10_000 })
    assert.deepEqual(job?.opts.removeOnFail, { age: 604_800, count: 10_000 })
    await q.close()
  })

  it('finishJob of a job whose lease went to another consumer changes nothing', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Json>('jobs', { lease: 100 })
    const id = await q.putJob('x', { removeOnComplete: false })
    await q.nextJob()
    // Another consumer holds it now: its lock carries another token.
    const jobKey = `${q.bullmq.prefix}:${q.bullmq.name}:${id}:lock`
    await mp.redis.set(jobKey, 'someone-else', 'PX', 10_000)
    assert.equal(await q.finishJob({ ok: true, result: 1 }), 'lost')
    assert.equal((await q.getJob(id))?.state, 'active')
    await assert.rejects(q.finishJob({ ok: true, result: 1 }), hasCode('TOO_MANY_TASK_DONE'))
    await mp.redis.del(jobKey)
    await q.close()
  })

  it('a serving process registers its queue and is listed until it stops; stop twice waits', async (t) => {
    const mp = await openContext(t)
    const server = await serve(mp, { queue: 'listed', tasks, concurrency: 3 })
    assert.deepEqual(await listQueues(mp), ['listed'])
    const [worker] = await listWorkers(mp)
    assert.equal(worker?.queue, 'listed')
    assert.equal(worker?.concurrency, 3)
    assert.equal(typeof worker?.uptimeMs, 'number')
    const first = server.stop()
    const second = server.close()
    assert.equal(server.state, 'stopping')
    await second
    assert.equal(server.state, 'stopped', 'a second stop returned before the first finished')
    await first
    await until(async () => (await listWorkers(mp)).length === 0, 'the worker left the list')
  })

  it('runs tasks on worker threads when asked', async (t) => {
    const mp = await openContext(t)
    const q = mp.joinableQueue<Job>('jobs')
    await using _server = await serve(mp, {
      queue: 'jobs',
      tasks,
      threads: { module: new URL('./fixtures/tasks.ts', import.meta.url), count: 1 },
    })
    const id = await q.putJob({ task: 'where', args: [1] }, { removeOnComplete: false })
    const job = await q.getJob(id, { wait: 20_000 })
    assert.deepEqual(job?.result, { n: 1, pid: process.pid })
    await q.close()
  })
})

describe('finishing jobs from many handles at once', () => {
  it('sends the finishes of the moment together and counts each job once', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    const producer = mp.joinableQueue<{ n: number }>('jobs')
    await producer.putMany(Array.from({ length: 20 }, (_, n) => ({ n })))
    const handles = Array.from({ length: 10 }, () => mp.joinableQueue('jobs', { prefetch: 1 }))
    for (const handle of handles) for (let i = 0; i < 2; i++) await handle.nextJob()
    await redis.admin.config('RESETSTAT')
    const failure = { ok: false, error: { code: 'REMOTE_TASK_FAILED', message: 'no' } } as const
    const finishedAs = await Promise.all(
      handles.map(async (handle, i) => [
        await handle.finishJob(i % 2 === 0 ? failure : { ok: true, result: i }),
        await handle.finishJob({ ok: true, result: null }),
      ]),
    )
    const scriptCalls = (await commandCalls(redis.admin)).get('evalsha') ?? 0
    // One call per finish would be 20 (and lease renewals may add a few).
    assert.ok(scriptCalls <= 10, `20 finishes took ${scriptCalls} script calls`)
    assert.equal(finishedAs.flat().filter((as) => as === 'failed').length, 5)
    const counts = await producer.counts()
    assert.deepEqual(counts.totals, { completed: 15, failed: 5 })
    assert.equal(
      counts.runTimes.buckets.reduce((sum, n) => sum + n, 0),
      20,
    )
    assert.equal(counts.unfinished, 0)
    await producer.join({ timeout: 1000 })
    for (const handle of handles) await handle.close()
  })
})
