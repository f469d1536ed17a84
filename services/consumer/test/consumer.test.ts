import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { CallJob } from '@redproc/shared'
import { listWorkers } from '@redproc/shared'
import {
  openContext,
  redisUrl,
  startConsumer,
  startProcess,
  uniqueNamespace,
} from '@redproc/test-support'

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('consumer', () => {
  it('on SIGTERM finishes its active job, takes no other, leaves the worker list and exits 0', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    const consumer = await startConsumer(t, { namespace, args: ['--heartbeat-ms', '200'] })
    const queue = mp.joinableQueue<CallJob>('tasks')
    const [slow, next] = (
      await queue.putJobs([
        { data: { task: 'io', args: [1500, 'slow'] } },
        { data: { task: 'double', args: [1] } },
      ])
    ).map((put) => put.id) as [string, string]
    await until(async () => (await queue.getJob(slow))?.state === 'active', 'the job runs')
    consumer.signal('SIGTERM')
    assert.equal(await consumer.exited, 0)
    assert.equal((await queue.getJob(slow))?.result, 'slow')
    assert.equal((await queue.getJob(next))?.state, 'waiting', 'a job was taken after SIGTERM')
    assert.deepEqual(await listWorkers(mp, 'tasks'), [])
    assert.ok(consumer.lines.some((line) => line.msg === 'consumer left the worker list'))
    await queue.close()
  })

  it('fails a job of an unknown task with UNKNOWN_TASK, logs it, and keeps running', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    const consumer = await startConsumer(t, { namespace })
    const queue = mp.joinableQueue<CallJob>('tasks')
    const unknown = await queue.putJob({ task: 'nope', args: [] })
    const known = await queue.putJob({ task: 'double', args: [4] })
    const failed = await queue.getJob(unknown, { wait: 10_000 })
    assert.equal(failed?.state, 'failed')
    assert.equal(failed?.error?.code, 'UNKNOWN_TASK')
    assert.equal((await queue.getJob(known, { wait: 10_000 }))?.result, 8)
    const line = await consumer.line((l) => l.msg === 'job failed', 'the failure is logged')
    assert.equal((line.error as { code: string }).code, 'UNKNOWN_TASK')
    assert.ok(
      !consumer.lines.some((l) => l.msg === 'job done'),
      'successes are not logged by default',
    )
    await queue.close()
  })

  it('runs a tasks module of its own, given by --tasks', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    const module = join(tmpdir(), `tasks-${namespace}.mjs`)
    writeFileSync(module, 'export const shout = (s) => s.toUpperCase()\n')
    t.after(() => rmSync(module, { force: true }))
    await startConsumer(t, { namespace, args: ['--tasks', module, '--queue', 'words'] })
    const queue = mp.joinableQueue<CallJob>('words')
    const id = await queue.putJob({ task: 'shout', args: ['hi'] })
    assert.equal((await queue.getJob(id, { wait: 10_000 }))?.result, 'HI')
    await queue.close()
  })

  /** The test Redis, at a database index no default server has. */
  const databaseBeyondTheServers = () => {
    const url = new URL(redisUrl())
    url.pathname = '/99'
    return url.href
  }

  it('exits 1 with one clear line on a bad tasks module, a bad flag or an unreachable Redis', async (t) => {
    const empty = join(tmpdir(), 'redproc-empty-tasks.mjs')
    writeFileSync(empty, 'export const notATask = 1\n')
    t.after(() => rmSync(empty, { force: true }))
    const cases: [string[], RegExp][] = [
      [['--tasks', './does-not-exist.js'], /could not be loaded/],
      [['--tasks', empty], /exports no function/],
      [['--concurency', '2'], /Unknown option '--concurency'/],
      [['--concurrency', '0'], /--concurrency\/REDPROC_CONCURRENCY is "0"/],
      [['--redis-url', 'redis://127.0.0.1:1', '--connect-timeout-ms', '300'], /does not answer/],
      [['--redis-url', databaseBeyondTheServers()], /refused the connection: .*database/i],
    ]
    for (const [args, message] of cases) {
      const consumer = startProcess(t, ['services/consumer', ...args], { REDIS_URL: redisUrl() })
      assert.equal(await consumer.exited, 1, args.join(' '))
      const stderr = consumer.stderr().trim()
      assert.match(stderr, message)
      assert.equal(stderr.split('\n').length, 1, `more than one line: ${stderr}`)
    }
  })

  it('does not lose the lease of a task that blocks the event loop for 5 s', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    // Two consumers with the default lease each run two 5 s CPU-bound jobs,
    // one after the other: a slot takes its next job only once it is free.
    await Promise.all([1, 2].map(() => startConsumer(t, { namespace })))
    const queue = mp.joinableQueue<CallJob>('tasks')
    const put = await queue.putJobs(
      [1, 2, 3, 4].map(() => ({ data: { task: 'cpu', args: [5000] } })),
    )
    await queue.join({ timeout: 60_000 })
    for (const { id } of put) {
      const job = await queue.getJob(id)
      assert.equal(job?.state, 'completed')
      assert.equal(job?.attemptsStarted, 1, `job ${id} was delivered again`)
    }
    await queue.close()
  })

  it('with --threads keeps a lease shorter than the CPU-bound task alive', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    const args = ['--threads', '1', '--lease-ms', '1500']
    await Promise.all([1, 2].map(() => startConsumer(t, { namespace, args })))
    const queue = mp.joinableQueue<CallJob>('tasks')
    const put = await queue.putJobs([1, 2].map(() => ({ data: { task: 'cpu', args: [5000] } })))
    await queue.join({ timeout: 60_000 })
    for (const { id } of put) {
      assert.equal((await queue.getJob(id))?.attemptsStarted, 1, `job ${id} was delivered again`)
    }
    await queue.close()
  })
})
