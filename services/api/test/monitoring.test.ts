import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AUTHKEY, startApi } from './support/api.js'
import { readEvents } from './support/sse.js'

describe('monitoring', () => {
  it('/v1/sync shows a held lock with its fencing token, and the waiters of an event', async (t) => {
    const api = await startApi(t)
    const lock = api.mp.lock('jobs-lock')
    await lock.acquire()
    const slots = api.mp.semaphore('slots', 2)
    await slots.acquire()
    const reply = await api.request('GET', '/v1/sync')
    assert.equal(reply.status, 200)
    const held = reply.body.objects.find((o: { kind: string }) => o.kind === 'lock')
    assert.equal(held.name, 'jobs-lock')
    assert.equal(held.fencingToken, lock.fencingToken)
    const semaphore = reply.body.objects.find((o: { kind: string }) => o.kind === 'semaphore')
    assert.equal(semaphore.value, 1)
    await lock.release()
    await slots.release()
  })

  it('/v1/events streams the state, and replays numbered events after Last-Event-ID', async (t) => {
    const api = await startApi(t)
    const stream = readEvents(t, `${api.url}/v1/events`, { authorization: `Bearer ${AUTHKEY}` })
    const state = await stream.next('state')
    assert.deepEqual(Object.keys(state.data as object).sort(), ['at', 'queues', 'sync', 'workers'])
    stream.close()
  })

  it('HEAD /v1/events answers with the headers and ends, rather than hang', async (t) => {
    const api = await startApi(t)
    const reply = await api.request('HEAD', '/v1/events')
    assert.equal(reply.status, 200)
    assert.match(reply.headers.get('content-type') ?? '', /^text\/event-stream/)
  })

  it('/metrics answers Prometheus text with HTTP metrics, and needs the key', async (t) => {
    const api = await startApi(t)
    await api.request('GET', '/v1/dicts/d')
    const reply = await api.request('GET', '/metrics')
    assert.equal(reply.status, 200)
    assert.match(
      reply.body,
      /redproc_http_request_duration_seconds_count\{method="GET",route="\/v1\/dicts\/:name",status="200"\} 1/,
    )
    assert.match(reply.body, /redproc_api_process_resident_memory_bytes/)
    assert.equal((await api.request('GET', '/metrics', { auth: false })).status, 401)
  })

  it('/v1/objects lists the shared state that holds something', async (t) => {
    const api = await startApi(t)
    await api.mp.dict('users').set('ada', 1)
    await api.mp.list('log').append('x')
    await api.mp.value('hits', 0).add(1)
    const reply = await api.request('GET', '/v1/objects')
    assert.deepEqual(reply.body.objects, [
      { kind: 'dict', name: 'users' },
      { kind: 'list', name: 'log' },
      { kind: 'value', name: 'hits' },
    ])
  })
})
