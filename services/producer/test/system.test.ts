// The whole system as users run it: the producer and consumers as processes
// of their own, jobs over HTTP, one Redis.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  client,
  openContext,
  startConsumer,
  startProducer,
  uniqueNamespace,
} from '@redproc/test-support'

describe('producer and consumers', () => {
  it('runs 2,000 jobs posted in batches on 2 consumers; join returns; every result is readable', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    const { url } = await startProducer(t, { namespace })
    const api = client(url)
    const consumers = await Promise.all(
      [1, 2].map(() => startConsumer(t, { namespace, args: ['--concurrency', '4'] })),
    )
    const ids: string[] = []
    for (let batch = 0; batch < 20; batch++) {
      const jobs = Array.from({ length: 100 }, (_, i) => ({
        task: 'double',
        args: [batch * 100 + i],
      }))
      const res = await api('POST', '/v1/queues/tasks/jobs', { jobs })
      assert.equal(res.status, 201)
      assert.equal(res.body.created, 100)
      ids.push(...res.body.ids)
    }
    assert.equal(new Set(ids).size, 2000)
    const joined = await api('POST', '/v1/queues/tasks/join?timeout=60000')
    assert.deepEqual([joined.status, joined.body], [200, { unfinished: 0 }])
    for (const [n, id] of ids.entries()) {
      const job = await api('GET', `/v1/queues/tasks/jobs/${id}`)
      assert.equal(job.body.state, 'completed', `job ${id}`)
      assert.equal(job.body.result, n * 2, `job ${id}`)
    }
    const processed = await Promise.all(
      consumers.map(async (consumer) => {
        consumer.signal('SIGTERM')
        assert.equal(await consumer.exited, 0)
        return Number(
          consumer.lines.find((l) => l.msg === 'consumer left the worker list')?.processed,
        )
      }),
    )
    assert.equal(
      processed.reduce((sum, count) => sum + count, 0),
      2000,
    )
    assert.ok(
      processed.every((count) => count > 0),
      `both consumers took part: ${processed}`,
    )
    assert.equal((await mp.joinableQueue('tasks').counts()).completed, 2000)
  })

  it('loses no job when a consumer is SIGKILLed mid-run, and finishes none twice', async (t) => {
    const namespace = uniqueNamespace()
    const mp = await openContext(t, namespace)
    const { url } = await startProducer(t, { namespace })
    const api = client(url)
    // A short lease, so the killed consumer's jobs come back within the test.
    const args = ['--concurrency', '4', '--lease-ms', '1500', '--heartbeat-ms', '200']
    const doomed = await startConsumer(t, { namespace, args })
    const jobs = Array.from({ length: 300 }, (_, i) => ({ task: 'io', args: [10, i] }))
    const { body } = await api('POST', '/v1/queues/tasks/jobs', { jobs })
    const survivor = await startConsumer(t, { namespace, args })
    const queue = mp.joinableQueue('tasks')
    // Kill it while it holds jobs.
    while ((await queue.counts()).completed < 50) await new Promise((r) => setTimeout(r, 20))
    doomed.signal('SIGKILL')
    assert.equal(await doomed.exited, 'SIGKILL')
    const joined = await api('POST', '/v1/queues/tasks/join?timeout=60000')
    assert.equal(joined.status, 200)
    let redelivered = 0
    for (const [i, id] of body.ids.entries()) {
      const job = await api('GET', `/v1/queues/tasks/jobs/${id}`)
      assert.equal(job.body.result, i)
      // attemptsMade counts finished runs: a second finish would make it 2.
      assert.equal(job.body.attemptsMade, 1, `job ${id} finished ${job.body.attemptsMade} times`)
      if (job.body.attemptsStarted > 1) redelivered++
    }
    assert.ok(redelivered > 0, 'the killed consumer held jobs that came back')
    assert.equal((await queue.counts()).completed, 300)
    survivor.signal('SIGTERM')
    assert.equal(await survivor.exited, 0)
    await queue.close()
  })
})
