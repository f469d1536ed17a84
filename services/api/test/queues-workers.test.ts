import assert from 'node:assert/strict'
import { it } from 'node:test'
import { serve } from '@redproc/shared'
import { AUTHKEY, startApi } from './support/api.js'
import { readEvents } from './support/sse.js'

const auth = { authorization: `Bearer ${AUTHKEY}` }

it('queues and workers follow a served pool map; worker:up and worker:down stream and resume', async (t) => {
  const api = await startApi(t)
  const stream = readEvents(t, `${api.url}/v1/events`, auth)
  await stream.next('state')
  const server = await serve(api.mp, {
    queue: 'jobs',
    tasks: { double: (x: number) => x * 2 },
    heartbeatMs: 200,
  })
  const up = await stream.next('worker:up')
  assert.equal((up.data as { pid: number }).pid, process.pid)
  assert.deepEqual(await api.mp.pool({ queue: 'jobs' }).map('double', [1, 2, 3]), [2, 4, 6])
  // A serving slot acknowledges a chunk once its reply is in Redis: just after the map has it.
  await api.mp.joinableQueue('jobs').join({ timeout: 10_000 })

  const queues = await api.request('GET', '/v1/queues')
  const jobs = queues.body.queues.find((q: { name: string }) => q.name === 'jobs')
  assert.ok(jobs, 'the queue is listed')
  assert.equal(jobs.unfinished, 0)
  assert.equal(jobs.waiting, 0)
  // The pool's jobs are removed once finished; the totals and the rate still count them.
  assert.equal(jobs.completed, 0, 'nothing is kept')
  assert.ok(jobs.totals.completed >= 1, `totals: ${JSON.stringify(jobs.totals)}`)
  assert.ok(jobs.completedPerSecond > 0, 'the rate follows the totals')
  assert.equal((await api.request('GET', '/v1/queues/jobs')).body.name, 'jobs')
  assert.equal((await api.request('GET', '/v1/queues/nope')).status, 404)
  const workers = await api.request('GET', '/v1/workers')
  assert.deepEqual(
    workers.body.workers.map((w: { pid: number; state: string }) => [w.pid, w.state]),
    [[process.pid, 'live']],
  )

  await server.close()
  const down = await stream.next('worker:down')
  assert.equal((down.data as { state: string }).state, 'dead')
  const dead = await api.request('GET', '/v1/workers')
  assert.equal(dead.body.workers[0].state, 'dead', 'a stopped worker is shown dead, then aged out')

  // A client that saw only the events before worker:up gets it again, then worker:down.
  const resumed = readEvents(t, `${api.url}/v1/events`, {
    ...auth,
    'last-event-id': String(Number(up.id) - 1),
  })
  assert.equal((await resumed.next('worker:up')).id, up.id)
  assert.equal((await resumed.next('worker:down')).id, down.id)

  const metrics = await api.request('GET', '/metrics')
  assert.match(metrics.body, /redproc_queue_jobs\{queue="jobs",state="unfinished"\} 0/)
  const finished = jobs.totals.completed
  assert.match(
    metrics.body,
    new RegExp(`redproc_jobs_finished_total\\{queue="jobs",outcome="completed"\\} ${finished}\n`),
  )
  assert.match(
    metrics.body,
    new RegExp(`redproc_job_run_seconds_count\\{queue="jobs"\\} ${finished}\n`),
  )
  assert.match(metrics.body, /redproc_job_run_seconds_bucket\{queue="jobs",le="\+Inf"\} \d+/)
})
