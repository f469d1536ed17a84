import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

for (const topology of TOPOLOGIES) {
  describe(`dict (${topology})`, () => {
    it('sets and gets JSON values, readable with HGETALL', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.set('a', 1)
      await d.set('b', { list: [true, null] })
      assert.equal(await d.get('a'), 1)
      assert.deepEqual(await d.get('b'), { list: [true, null] })
      assert.deepEqual(await mp.redis.hgetall(`rp:{${mp.options.namespace}:dict:d}`), {
        a: '1',
        b: '{"list":[true,null]}',
      })
    })

    it('gets the default, or undefined, for a missing key', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      assert.equal(await d.get('missing'), undefined)
      assert.equal(await d.get('missing', 0), 0)
      await d.set('present', null)
      assert.equal(await d.get('present', 0), null)
    })

    it('answers has, delete, size, keys, values, items and toObject', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.update({ a: 1, b: 2, c: 3 })
      assert.equal(await d.has('a'), true)
      assert.equal(await d.has('z'), false)
      assert.equal(await d.size(), 3)
      assert.deepEqual((await d.keys()).sort(), ['a', 'b', 'c'])
      assert.deepEqual((await d.values()).sort(), [1, 2, 3])
      assert.deepEqual((await d.items()).sort(), [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ])
      assert.equal(await d.delete('b'), true)
      assert.equal(await d.delete('b'), false)
      assert.deepEqual(await d.toObject(), { a: 1, c: 3 })
    })

    it('updates from an object or from entries, in one write', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.update(new Map([['x', 1]]))
      await d.update([['y', [2]]])
      await d.update({})
      assert.deepEqual(await d.toObject(), { x: 1, y: [2] })
    })

    it('pops a value, or the default, or fails with KEY_ERROR changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.set('a', 'x')
      assert.equal(await d.pop('a'), 'x')
      assert.equal(await d.has('a'), false)
      assert.equal(await d.pop('a', 'default'), 'default')
      assert.equal(await d.pop('a', null), null)
      await d.set('other', 1)
      await assertRefusedWithoutWrite(mp, 'KEY_ERROR', () => d.pop('a'))
    })

    it('popitem removes the last inserted pair of a small dict, as in Python', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.update([
        ['a', 1],
        ['b', { two: 2 }],
        ['c', null],
      ])
      assert.deepEqual(await d.popitem(), ['c', null])
      assert.deepEqual(await d.popitem(), ['b', { two: 2 }])
      assert.deepEqual(await d.toObject(), { a: 1 })
    })

    it('popitem fails with KEY_ERROR on an empty dict, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await mp.dict('other').set('k', 1)
      await assertRefusedWithoutWrite(mp, 'KEY_ERROR', () => d.popitem())
      await assert.rejects(d.popitem(), /dict 'd': popitem\(\): dictionary is empty/)
    })

    it('popitem hands each pair of a big dict to exactly one of many callers', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict<string>('d')
      // Values past 64 bytes: Redis keeps this hash as a hash table, without order.
      const long = 'x'.repeat(100)
      await d.update(Array.from({ length: 300 }, (_, i) => [`k${i}`, `${i}${long}`] as const))
      const outcomes = await Promise.allSettled(Array.from({ length: 320 }, () => d.popitem()))
      const popped = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
      assert.equal(popped.length, 300)
      assert.equal(new Set(popped.map(([key]) => key)).size, 300)
      for (const [key, value] of popped) assert.equal(value, `${key.slice(1)}${long}`)
      assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 20)
      assert.equal(await d.size(), 0)
    })

    it('incr adds to a number atomically, an absent key counting as 0', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      assert.equal(await d.incr('hits'), 1)
      assert.equal(await d.incr('hits', 41), 42)
      assert.equal(await d.incr('hits', -2.5), 39.5)
      await d.set('f', 0.1)
      assert.equal(await d.incr('f', 0.2), 0.1 + 0.2)
      assert.equal(await d.get('f'), 0.1 + 0.2)
      assert.equal(await mp.redis.hget(`rp:{${mp.options.namespace}:dict:d}`, 'hits'), '39.5')
      await Promise.all(Array.from({ length: 100 }, () => d.incr('counter')))
      assert.equal(await d.get('counter'), 100)
    })

    it('incr of a value that is not a number fails with TYPE_ERROR, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.update({ text: '5', flag: true, list: [1], nothing: null, object: { n: 1 } })
      for (const key of ['text', 'flag', 'list', 'nothing', 'object']) {
        await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.incr(key))
      }
      await assert.rejects(d.incr('text'), /dict 'd': key "text" holds "5", which is not a number/)
      await mp.redis.hset(`rp:{${mp.options.namespace}:dict:d}`, 'raw', 'not json')
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.incr('raw'))
    })

    it('incr refuses a bad amount or key, and a sum that is not finite, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.set('big', 1e308)
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => d.incr('big', 1e308))
      for (const amount of [Number.NaN, Number.POSITIVE_INFINITY, '1', null]) {
        await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.incr('big', amount as number))
      }
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.incr(1 as unknown as string))
      assert.equal(await d.get('big'), 1e308)
    })

    it('setdefault sets only a missing key and returns what is stored', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      assert.deepEqual(await d.setdefault('list', []), [])
      assert.deepEqual(await d.setdefault('list', [1]), [])
      assert.equal(await d.setdefault('none'), null)
      assert.deepEqual(await d.toObject(), { list: [], none: null })
    })

    it('gives one winner when many callers setdefault at once', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict<number>('d')
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => d.setdefault('k', i)))
      assert.equal(new Set(results).size, 1)
    })

    it('clears', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.set('a', 1)
      await d.clear()
      assert.equal(await d.size(), 0)
      assert.deepEqual(await d.toObject(), {})
    })

    it('refuses keys that are not strings and values that are not JSON, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.set('a', 1)
      const badKey = 1 as unknown as string
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.set(badKey, 1))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.get(badKey))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.has(badKey))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.delete(badKey))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.pop(badKey))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => d.setdefault(badKey))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => d.set('b', undefined as never))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () =>
        d.setdefault('b', (() => 1) as never),
      )
      // update is all or nothing: the good pair before the bad one is not written
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () =>
        d.update({ good: 1, bad: Number.NaN }),
      )
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () =>
        d.update([
          ['good', 1],
          [2 as unknown as string, 1],
        ]),
      )
    })

    it('keeps "__proto__" an ordinary key', async (t) => {
      const mp = await openContext(t, topology)
      const d = mp.dict('d')
      await d.set('__proto__', 'p')
      await d.set('constructor', 'c')
      const object = await d.toObject()
      assert.deepEqual(Object.keys(object).sort(), ['__proto__', 'constructor'])
      assert.equal(Object.getPrototypeOf(object), Object.prototype)
    })
  })
}
