import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startApi } from './support/api.js'

describe('/v1/dicts', () => {
  it('puts and gets a key, which the library reads, and reads what the library wrote', async (t) => {
    const api = await startApi(t)
    assert.equal(
      (await api.request('PUT', '/v1/dicts/d/a', { body: { value: { n: 1 } } })).status,
      204,
    )
    assert.deepEqual(await api.mp.dict('d').get('a'), { n: 1 })
    await api.mp.dict('d').set('b', [true, null])
    const reply = await api.request('GET', '/v1/dicts/d/b')
    assert.equal(reply.status, 200)
    assert.deepEqual(reply.body, { value: [true, null] })
    assert.match(reply.headers.get('etag') ?? '', /^"[0-9a-f]{40}"$/)
  })

  it('answers 404 KEY_ERROR for a missing key, and HEAD says whether a key is there', async (t) => {
    const api = await startApi(t)
    const missing = await api.request('GET', '/v1/dicts/d/nope')
    assert.equal(missing.status, 404)
    assert.equal(missing.body.error.code, 'KEY_ERROR')
    await api.mp.dict('d').set('yes', 1)
    assert.equal((await api.request('HEAD', '/v1/dicts/d/yes')).status, 200)
    assert.equal((await api.request('HEAD', '/v1/dicts/d/nope')).status, 404)
  })

  it('pages a big dict with a cursor until the cursor is null', async (t) => {
    const api = await startApi(t)
    const all = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]))
    await api.mp.dict('big').update(all)
    const seen: Record<string, number> = {}
    let cursor: string | null = '0'
    let pages = 0
    while (cursor !== null) {
      const reply = await api.request('GET', `/v1/dicts/big?cursor=${cursor}&count=200`)
      assert.equal(reply.status, 200)
      assert.equal(reply.body.size, 1500)
      Object.assign(seen, reply.body.items)
      cursor = reply.body.cursor
      pages++
    }
    assert.ok(pages > 1, 'a 1500-key hash comes in several pages')
    assert.deepEqual(seen, all)
  })

  it('PATCH updates many keys at once; DELETE clears; DELETE of a key says if it was there', async (t) => {
    const api = await startApi(t)
    assert.equal((await api.request('PATCH', '/v1/dicts/d', { body: { a: 1, b: 2 } })).status, 204)
    assert.deepEqual(await api.mp.dict('d').toObject(), { a: 1, b: 2 })
    assert.deepEqual((await api.request('DELETE', '/v1/dicts/d/a')).body, { deleted: true })
    assert.deepEqual((await api.request('DELETE', '/v1/dicts/d/a')).body, { deleted: false })
    assert.equal((await api.request('DELETE', '/v1/dicts/d')).status, 204)
    assert.equal(await api.mp.dict('d').size(), 0)
  })

  it('pops and setdefaults like the library', async (t) => {
    const api = await startApi(t)
    await api.mp.dict('d').set('a', 'x')
    assert.deepEqual((await api.request('POST', '/v1/dicts/d/pop', { body: { key: 'a' } })).body, {
      value: 'x',
    })
    const gone = await api.request('POST', '/v1/dicts/d/pop', { body: { key: 'a' } })
    assert.equal(gone.status, 404)
    assert.equal(gone.body.error.code, 'KEY_ERROR')
    const first = await api.request('POST', '/v1/dicts/d/setdefault', {
      body: { key: 's', default: 5 },
    })
    assert.deepEqual(first.body, { value: 5 })
    const again = await api.request('POST', '/v1/dicts/d/setdefault', {
      body: { key: 's', default: 6 },
    })
    assert.deepEqual(again.body, { value: 5 })
  })

  it('compare-and-set: If-Match with a stale ETag gets 412 and writes nothing', async (t) => {
    const api = await startApi(t)
    await api.request('PUT', '/v1/dicts/d/n', { body: { value: 1 } })
    const read = await api.request('GET', '/v1/dicts/d/n')
    const etag = read.headers.get('etag') as string
    const won = await api.request('PUT', '/v1/dicts/d/n', {
      body: { value: 2 },
      headers: { 'if-match': etag },
    })
    assert.equal(won.status, 204)
    const lost = await api.request('PUT', '/v1/dicts/d/n', {
      body: { value: 3 },
      headers: { 'if-match': etag },
    })
    assert.equal(lost.status, 412)
    assert.equal(lost.body.error.code, 'PRECONDITION_FAILED')
    assert.equal(lost.headers.get('etag'), won.headers.get('etag'))
    assert.equal(await api.mp.dict('d').get('n'), 2)
    const create = { body: { value: 9 }, headers: { 'if-none-match': '*' } }
    assert.equal((await api.request('PUT', '/v1/dicts/d/n', create)).status, 412)
    assert.equal((await api.request('PUT', '/v1/dicts/d/fresh', create)).status, 204)
    assert.equal(await api.mp.dict('d').get('fresh'), 9)
  })
})
