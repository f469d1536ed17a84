import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  type Dict,
  IndexError,
  isRedprocError,
  KeyError,
  type List,
  type Namespace,
  RemoteManager,
  type Value,
} from '@redproc/shared'
import { AUTHKEY, type RunningApi, startApi } from './support/api.js'

/** What the suite needs of a manager: the direct context or a RemoteManager. */
interface Manager {
  dict(name: string): Pick<Dict, keyof Dict>
  list(name: string): Pick<List, keyof List>
  namespace(name: string): Pick<Namespace, 'get' | 'set' | 'delete' | 'toObject'>
  value(
    name: string,
    initial?: number | string | null,
  ): Pick<Value, 'get' | 'set' | 'add' | 'entry' | 'compareAndSet'>
}

const SIDES: Record<string, (t: TestContext, api: RunningApi) => Promise<Manager>> = {
  direct: async (_t, api) => api.mp as unknown as Manager,
  remote: async (t, api) => {
    const manager = await RemoteManager.connect(api.url, { authkey: AUTHKEY })
    t.after(() => manager.close())
    return manager as unknown as Manager
  },
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isRedprocError(error), `a RedprocError, not ${error}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

for (const [side, open] of Object.entries(SIDES)) {
  describe(`shared state, ${side}`, () => {
    const setup = async (t: TestContext) => {
      const api = await startApi(t, { rateLimitPerMinute: 0 })
      return { api, m: await open(t, api) }
    }

    it('dict: set, get with fallback, has, delete, size, keys, values, items', async (t) => {
      const { m } = await setup(t)
      const d = m.dict('d')
      await d.set('a', 1)
      await d.set('b', { x: [null] })
      assert.equal(await d.get('a'), 1)
      assert.equal(await d.get('zz'), undefined)
      assert.equal(await d.get('zz', 'fallback'), 'fallback')
      assert.equal(await d.has('b'), true)
      assert.equal(await d.has('zz'), false)
      assert.equal(await d.size(), 2)
      assert.deepEqual((await d.keys()).sort(), ['a', 'b'])
      assert.deepEqual((await d.items()).sort(), [
        ['a', 1],
        ['b', { x: [null] }],
      ])
      assert.equal(await d.delete('a'), true)
      assert.equal(await d.delete('a'), false)
      assert.deepEqual(await d.values(), [{ x: [null] }])
    })

    it('dict: update, pop, setdefault, clear, toObject', async (t) => {
      const { m } = await setup(t)
      const d = m.dict('d')
      await d.update({ a: 1, b: 2, 'with/slash': 3 })
      await d.update([['c', 4]])
      assert.equal(await d.pop('a'), 1)
      assert.equal(await d.pop('a', 'none'), 'none')
      await rejectsWith(d.pop('a'), 'KEY_ERROR')
      await assert.rejects(d.pop('a'), KeyError)
      assert.equal(await d.setdefault('s', 7), 7)
      assert.equal(await d.setdefault('s', 8), 7)
      assert.deepEqual(await d.toObject(), { b: 2, 'with/slash': 3, c: 4, s: 7 })
      await d.clear()
      assert.equal(await d.size(), 0)
    })

    it('dict: bad input fails at the caller with the library codes', async (t) => {
      const { m } = await setup(t)
      const d = m.dict('d')
      await rejectsWith(d.set('a', undefined as never), 'NOT_SERIALIZABLE')
      await rejectsWith(d.set('a', { f: () => 1 } as never), 'NOT_SERIALIZABLE')
      await rejectsWith(d.get(3 as never), 'TYPE_ERROR')
      await rejectsWith(d.update({ ok: 1, bad: Number.NaN }), 'NOT_SERIALIZABLE')
      assert.equal(await d.size(), 0, 'a refused update writes nothing')
      assert.throws(
        () => m.dict('bad name'),
        (e) => isRedprocError(e, 'INVALID_NAME'),
      )
    })

    it('dict: compare-and-set by ETag loses a race instead of overwriting', async (t) => {
      const { m } = await setup(t)
      const d = m.dict('d')
      assert.deepEqual(await d.compareAndSet('n', null, 1), {
        ok: true,
        etag: (await d.entry('n'))?.etag,
      })
      const read = await d.entry('n')
      assert.ok(read)
      assert.equal((await d.compareAndSet('n', read.etag, 2)).ok, true)
      const lost = await d.compareAndSet('n', read.etag, 3)
      assert.equal(lost.ok, false)
      assert.equal(lost.etag, (await d.entry('n'))?.etag)
      assert.equal(await d.get('n'), 2)
      assert.equal((await d.compareAndDelete('n', read.etag)).ok, false)
      assert.equal((await d.compareAndDelete('n', '*')).ok, true)
      assert.equal(await d.entry('n'), undefined)
      await rejectsWith(d.compareAndSet('n', 'not-an-etag', 1), 'TYPE_ERROR')
    })

    it('list: append, extend, get, set, insert, pop, index, count, slice', async (t) => {
      const { m } = await setup(t)
      const l = m.list('l')
      await l.append('a')
      await l.extend(['b', 'c', 'b'])
      assert.equal(await l.get(0), 'a')
      assert.equal(await l.get(-1), 'b')
      await l.set(1, 'B')
      await l.insert(0, 'first')
      await l.insert(100, 'last')
      assert.deepEqual(await l.toArray(), ['first', 'a', 'B', 'c', 'b', 'last'])
      assert.equal(await l.pop(), 'last')
      assert.equal(await l.pop(0), 'first')
      assert.equal(await l.pop(1), 'B')
      assert.equal(await l.index('b'), 2)
      assert.equal(await l.count('b'), 1)
      await l.remove('a')
      assert.deepEqual(await l.slice(0, 1), ['c'])
      assert.deepEqual(await l.slice(-1), ['b'])
      assert.deepEqual(await l.slice(1, 0), [])
      assert.equal(await l.length(), 2)
      await l.clear()
      assert.equal(await l.length(), 0)
    })

    it('dict popitem and incr, list sort and reverse: atomic, as Python has them', async (t) => {
      const { m } = await setup(t)
      const d = m.dict('counters')
      assert.equal(await d.incr('hits'), 1)
      assert.equal(await d.incr('hits', 2.5), 3.5)
      await d.set('name', 'x')
      await rejectsWith(d.incr('name'), 'TYPE_ERROR')
      assert.equal(await d.get('name'), 'x', 'a refused incr changes nothing')
      const popped = await d.popitem()
      assert.ok(['hits', 'name'].includes(popped[0]))
      await d.popitem()
      await rejectsWith(d.popitem(), 'KEY_ERROR')

      const l = m.list('people')
      await l.extend([{ age: 30 }, { age: 20 }, { age: 25 }])
      await l.sort({ key: 'age', reverse: true })
      assert.deepEqual(await l.toArray(), [{ age: 30 }, { age: 25 }, { age: 20 }])
      await l.reverse()
      assert.deepEqual(await l.toArray(), [{ age: 20 }, { age: 25 }, { age: 30 }])
      await rejectsWith(l.sort({ key: (x: unknown) => x } as never), 'TYPE_ERROR')
      await l.append(7)
      await rejectsWith(l.sort({ key: 'age' }), 'TYPE_ERROR')
      assert.deepEqual(await l.slice(-1), [7], 'a refused sort leaves the list as it was')
    })

    it('list: errors as Python raises them', async (t) => {
      const { m } = await setup(t)
      const l = m.list('l')
      await rejectsWith(l.get(0), 'INDEX_ERROR')
      await assert.rejects(l.pop(), IndexError)
      await rejectsWith(l.set(0, 1), 'INDEX_ERROR')
      await l.append(1)
      await rejectsWith(l.remove(2), 'VALUE_ERROR')
      await rejectsWith(l.index(2), 'VALUE_ERROR')
      await rejectsWith(l.get(0.5), 'TYPE_ERROR')
      await rejectsWith(l.append(Number.POSITIVE_INFINITY), 'NOT_SERIALIZABLE')
      assert.deepEqual(await l.toArray(), [1])
    })

    it('namespace: attributes, KEY_ERROR for an unknown one, delete, toObject', async (t) => {
      const { m } = await setup(t)
      const ns = m.namespace('ns')
      await ns.set('a', 1)
      assert.equal(await ns.get('a'), 1)
      assert.equal(await ns.get('b', 'fallback'), 'fallback')
      await rejectsWith(ns.get('b'), 'KEY_ERROR')
      assert.deepEqual(await ns.toObject(), { a: 1 })
      assert.equal(await ns.delete('a'), true)
      assert.equal(await ns.delete('a'), false)
    })

    it('value: created with its initial by the first handle, set, atomic add', async (t) => {
      const { m } = await setup(t)
      const v = m.value('hits', 10)
      assert.equal(await v.get(), 10)
      assert.equal(await m.value('hits', 99).get(), 10, 'a later handle joins the value')
      await Promise.all(Array.from({ length: 20 }, () => v.add(1)))
      assert.equal(await v.get(), 30)
      await v.set('text')
      await rejectsWith(v.add(1), 'TYPE_ERROR')
      await rejectsWith(v.add(Number.NaN), 'TYPE_ERROR')
      assert.equal(
        await m.value('fresh', 5).add(2),
        7,
        'add on a value not yet created starts at initial',
      )
    })
  })
}

describe('RemoteManager', () => {
  it('writes what the library reads, and reads what the library wrote', async (t) => {
    const api = await startApi(t)
    await using manager = await RemoteManager.connect(api.url, { authkey: AUTHKEY })
    assert.equal(manager.serverNamespace, api.mp.options.namespace)
    await manager.list('shared').append(1)
    assert.deepEqual(await api.mp.list('shared').toArray(), [1])
    await api.mp.dict('d').set('k', 'from the library')
    assert.equal(await manager.dict('d').get('k'), 'from the library')
  })

  it('sends the calls made at the same moment in one request, each answered on its own', async (t) => {
    const api = await startApi(t)
    await using manager = await RemoteManager.connect(api.url, { authkey: AUTHKEY })
    const d = manager.dict<number>('many')
    await Promise.all(Array.from({ length: 200 }, (_, i) => d.set(`k${i}`, i)))
    assert.equal(await api.mp.dict('many').size(), 200)
    const metrics = (await api.request('GET', '/metrics')).body as string
    const calls = /route="\/v1\/call",status="200"\} (\d+)/.exec(metrics)
    assert.ok(calls, 'the calls went to /v1/call')
    assert.ok(Number(calls[1]) <= 3, `200 sets took ${calls[1]} requests`)

    const [found, missing, outOfRange, written] = await Promise.allSettled([
      d.get('k7'),
      d.pop('nope'),
      manager.list('empty').get(3),
      d.set('after', 1),
    ])
    assert.deepEqual(found, { status: 'fulfilled', value: 7 })
    assert.ok(missing.status === 'rejected' && isRedprocError(missing.reason, 'KEY_ERROR'))
    assert.ok(outOfRange.status === 'rejected' && isRedprocError(outOfRange.reason, 'INDEX_ERROR'))
    assert.equal(written.status, 'fulfilled')
    assert.equal(await api.mp.dict('many').get('after'), 1)
  })

  it('names keys a URL cannot: the empty key, slashes, dots', async (t) => {
    const api = await startApi(t)
    await using manager = await RemoteManager.connect(api.url, { authkey: AUTHKEY })
    const d = manager.dict('odd')
    for (const key of ['', 'a/b', '..', '?x=1#y']) await d.set(key, key.length)
    assert.deepEqual(await api.mp.dict('odd').toObject(), { '': 0, 'a/b': 3, '..': 2, '?x=1#y': 6 })
    assert.equal(await d.get(''), 0)
  })

  it('fails with AUTH on a wrong key', async (t) => {
    const api = await startApi(t)
    await assert.rejects(RemoteManager.connect(api.url, { authkey: 'wrong' }), (error) =>
      isRedprocError(error, 'AUTH'),
    )
  })

  it('fails with CONNECTION when no server answers', async (t) => {
    const api = await startApi(t)
    const manager = await RemoteManager.connect(api.url, { authkey: AUTHKEY })
    await manager.close()
    // A port that was just free: nothing listens there.
    const { createServer } = await import('node:net')
    const probe = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => probe.once('listening', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    await assert.rejects(
      RemoteManager.connect(`http://127.0.0.1:${port}`, { authkey: AUTHKEY }),
      (error) => isRedprocError(error, 'CONNECTION'),
    )
  })

  it('checks its options at run time', async () => {
    const cases: Array<[unknown, unknown, 'TYPE_ERROR' | 'VALUE_ERROR']> = [
      ['not a url', { authkey: 'k' }, 'TYPE_ERROR'],
      ['ftp://host', { authkey: 'k' }, 'TYPE_ERROR'],
      ['http://user:pw@host', { authkey: 'k' }, 'TYPE_ERROR'],
      ['http://host', undefined, 'TYPE_ERROR'],
      ['http://host', 'k', 'TYPE_ERROR'],
      ['http://host', { authkey: '' }, 'TYPE_ERROR'],
      ['http://host', { authkey: 7 }, 'TYPE_ERROR'],
      ['http://host', { authkey: 'k', connection: 2 }, 'TYPE_ERROR'],
      ['http://host', { authkey: 'k', timeoutMs: '5' }, 'TYPE_ERROR'],
      ['http://host', { authkey: 'k', timeoutMs: -1 }, 'VALUE_ERROR'],
      ['http://host', { authkey: 'k', connections: 0 }, 'VALUE_ERROR'],
    ]
    for (const [url, options, code] of cases) {
      await assert.rejects(
        RemoteManager.connect(url as string, options as { authkey: string }),
        (error) => isRedprocError(error, code),
        `${url} ${JSON.stringify(options)}`,
      )
    }
  })
})
