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
