import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  client,
  openContext,
  snapshot,
  startConsumer,
  startProcess,
  startProducer,
  uniqueNamespace,
} from '@redproc/test-support'

/** A producer (batches of at most 5) on a namespace of its own, and a context on it. */
async function setUp(t: TestContext) {
  const namespace = uniqueNamespace()
  const mp = await openContext(t, namespace)
  const { url, process } = await startProducer(t, {
    namespace,
    args: ['--max-batch', '5', '--body-limit-bytes', '4096'],
  })
  return { namespace, mp, url, api: client(url), process }
}

describe('producer', () => {
  it('answers ?wait= with the result once a consumer ran the job', async (t) => {
    const { namespace, api } = await setUp(t)
    await startConsumer(t, { namespace })
    const put = await api('POST', '/v1/queues/tasks/jobs', { task: 'double', args: [21] })
    assert.equal(put.status, 201)
    const job = await api('GET', `/v1/queues/tasks/jobs/${put.body.id}?wait=10000`)
    assert.equal(job.status, 200)
    assert.equal(job.body.state, 'completed')
    assert.equal(job.body.result, 42)
  })

  it('answers ?wait= with the state then when the job is not done', async (t) => {
    const { api } = await setUp(t)
    const put = await api('POST', '/v1/queues/idle/jobs', { task: 'double', args: [1] })
    const started = performance.now()
    const job = await api('GET', `/v1/queues/idle/jobs/${put.body.id}?wait=300`)
    assert.equal(job.body.state, 'waiting')
    assert.ok(performance.now() - started >= 300)
  })

  it('enqueues nothing for a resubmission with the same Idempotency-Key or jobId', async (t) => {
    const { mp, api } = await setUp(t)
    const headers = { 'idempotency-key': 'order-1234' }
    const first = await api('POST', '/v1/queues/q/jobs', { task: 'double', args: [2] }, headers)
    assert.deepEqual([first.status, first.body], [201, { id: 'order-1234', created: true }])
    const before = await snapshot(mp)
    const again = await api('POST', '/v1/queues/q/jobs', { task: 'double', args: [2] }, headers)
    assert.deepEqual([again.status, again.body], [200, { id: 'order-1234', created: false }])
    const batch = { jobs: [{ task: 'double', args: [1], opts: { jobId: 'b-1' } }] }
    assert.equal((await api('POST', '/v1/queues/q/jobs', batch)).status, 201)
    const batchAgain = await api('POST', '/v1/queues/q/jobs', batch)
    assert.deepEqual(batchAgain.body, { ids: ['b-1'], created: 0 })
    const counts = await mp.joinableQueue('q').counts()
    assert.equal(counts.waiting, 2)
    assert.equal(counts.unfinished, 2)
    assert.ok(before.size > 0)
  })

  it('refuses bad input with the documented 4xx and changes nothing', async (t) => {
    const { mp, url, api } = await setUp(t)
    await api('POST', '/v1/queues/q/jobs', { task: 'double', args: [1], opts: { jobId: 'taken' } })
    const job = { task: 'double', args: [1] }
    const cases: [string, () => ReturnType<typeof api>, number, string][] = [
      ['no key', () => client(url, null)('POST', '/v1/queues/q/jobs', job), 401, 'AUTH'],
      [
        'a wrong key',
        () => client(url, 'wrong-key-0123456789')('POST', '/v1/queues/q/jobs', job),
        401,
        'AUTH',
      ],
      [
        'a malformed header',
        () => client(url, null)('POST', '/v1/queues/q/jobs', job, { authorization: 'Bearer' }),
        401,
        'AUTH',
      ],
      [
        'malformed JSON',
        () => api('POST', '/v1/queues/q/jobs', '{"task": "double",'),
        400,
        'VALUE_ERROR',
      ],
      [
        'an oversized body',
        () => api('POST', '/v1/queues/q/jobs', { task: 'double', args: ['x'.repeat(5000)] }),
        413,
        'VALUE_ERROR',
      ],
      [
        'a batch over the limit',
        () => api('POST', '/v1/queues/q/jobs', { jobs: Array(6).fill(job) }),
        413,
        'VALUE_ERROR',
      ],
      [
        'an invalid queue name',
        () => api('POST', '/v1/queues/no%20spaces/jobs', job),
        400,
        'INVALID_NAME',
      ],
      [
        'args that are not a list',
        () => api('POST', '/v1/queues/q/jobs', { task: 'double', args: 3 }),
        400,
        'TYPE_ERROR',
      ],
      ['no task', () => api('POST', '/v1/queues/q/jobs', { args: [] }), 400, 'TYPE_ERROR'],
      [
        'args nested deeper than the stack (once a 500)',
        () =>
          api(
            'POST',
            '/v1/queues/q/jobs',
            `{"task":"double","args":${'['.repeat(2000)}${']'.repeat(2000)}}`,
          ),
        400,
        'NOT_SERIALIZABLE',
      ],
      [
        'an unknown field',
        () => api('POST', '/v1/queues/q/jobs', { ...job, retries: 3 }),
        400,
        'TYPE_ERROR',
      ],
      [
        'a body that is no object',
        () => api('POST', '/v1/queues/q/jobs', '[1, 2]'),
        400,
        'TYPE_ERROR',
      ],
      [
        'one bad job in a batch',
        () => api('POST', '/v1/queues/q/jobs', { jobs: [job, { task: 7 }] }),
        400,
        'TYPE_ERROR',
      ],
      [
        'an unknown option',
        () => api('POST', '/v1/queues/q/jobs', { ...job, opts: { atempts: 3 } }),
        400,
        'TYPE_ERROR',
      ],
      [
        'an unsupported option',
        () => api('POST', '/v1/queues/q/jobs', { ...job, opts: { priority: 1 } }),
        422,
        'VALUE_ERROR',
      ],
      [
        'a jobId reused with other data',
        () =>
          api('POST', '/v1/queues/q/jobs', { task: 'double', args: [2], opts: { jobId: 'taken' } }),
        422,
        'VALUE_ERROR',
      ],
      [
        'an invalid Idempotency-Key',
        () => api('POST', '/v1/queues/q/jobs', job, { 'idempotency-key': 'a b' }),
        400,
        'INVALID_NAME',
      ],
      ['a bad wait', () => api('GET', '/v1/queues/q/jobs/taken?wait=soon'), 400, 'TYPE_ERROR'],
      [
        'a wait too long',
        () => api('GET', '/v1/queues/q/jobs/taken?wait=99999999'),
        400,
        'VALUE_ERROR',
      ],
      ['an unknown job', () => api('GET', '/v1/queues/q/jobs/404'), 404, 'KEY_ERROR'],
      ['an invalid job id', () => api('GET', '/v1/queues/q/jobs/a:b'), 400, 'INVALID_NAME'],
      [
        'a bad immediate',
        () => api('POST', '/v1/queues/q/shutdown?immediate=yes'),
        400,
        'TYPE_ERROR',
      ],
      ['an unknown route', () => api('POST', '/v1/queues/q/nothing'), 404, 'KEY_ERROR'],
    ]
    for (const [what, request, status, code] of cases) {
      const before = await snapshot(mp)
      const res = await request()
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.error.code, code, what)
      assert.equal(typeof res.body.error.message, 'string', what)
      assert.deepEqual(await snapshot(mp), before, `${what} changed Redis`)
    }
  })

  it('join times out with 408 TIMEOUT and the unfinished count', async (t) => {
    const { api } = await setUp(t)
    await api('POST', '/v1/queues/q/jobs', { jobs: [{ task: 'double' }, { task: 'double' }] })
    const res = await api('POST', '/v1/queues/q/join?timeout=200')
    assert.equal(res.status, 408)
    assert.equal(res.body.error.code, 'TIMEOUT')
    assert.equal(res.body.error.unfinished, 2)
  })

  it('after shutdown refuses puts with 409 SHUTDOWN; immediate shutdown drops the waiting jobs', async (t) => {
    const { api } = await setUp(t)
    await api('POST', '/v1/queues/q/jobs', { task: 'double', args: [1] })
    const shut = await api('POST', '/v1/queues/q/shutdown?immediate=true')
    assert.deepEqual(shut.body, { shutdown: 'immediate' })
    const put = await api('POST', '/v1/queues/q/jobs', { task: 'double', args: [1] })
    assert.deepEqual([put.status, put.body.error.code], [409, 'SHUTDOWN'])
    assert.equal((await api('POST', '/v1/queues/q/join?timeout=1000')).status, 200)
  })

  it('serves /healthz and /readyz without a key, and exits 0 on SIGTERM', async (t) => {
    const { url, process } = await setUp(t)
    assert.equal((await client(url, null)('GET', '/healthz')).status, 200)
    assert.equal((await client(url, null)('GET', '/readyz')).status, 200)
    process.signal('SIGTERM')
    assert.equal(await process.exited, 0)
  })

  it('refuses to start without an authkey, or with a bad flag, in one line', async (t) => {
    const cases: [string[], Record<string, string | undefined>, RegExp][] = [
      [[], { REDPROC_AUTHKEY: undefined }, /REDPROC_AUTHKEY is not set/],
      [['--insecure-loopback', '--host', '0.0.0.0'], { REDPROC_AUTHKEY: undefined }, /loopback/],
      [['--prot', '1'], {}, /Unknown option '--prot'/],
      [['--max-batch', 'many'], {}, /--max-batch/],
    ]
    for (const [args, env, message] of cases) {
      const producer = startProcess(t, ['services/producer/dist/main.js', ...args], {
        REDPROC_AUTHKEY: 'test-authkey-0123456789abcdef',
        ...env,
      })
      assert.equal(await producer.exited, 1)
      const stderr = producer.stderr().trim()
      assert.match(stderr, message)
      assert.equal(stderr.split('\n').length, 1, `more than one line: ${stderr}`)
    }
  })
})
