import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

for (const topology of TOPOLOGIES) {
  describe(`namespace (${topology})`, () => {
    it('sets, gets and deletes attributes, stored in a Redis hash as JSON', async (t) => {
      const mp = await openContext(t, topology)
      const ns = mp.namespace('cfg')
      await ns.set('a', 1)
      await ns.set('nested', { x: [1, 2] })
      assert.equal(await ns.get('a'), 1)
      assert.deepEqual(await ns.get('nested'), { x: [1, 2] })
      assert.deepEqual(await mp.redis.hgetall(`rp:{${mp.options.namespace}:namespace:cfg}`), {
        a: '1',
        nested: '{"x":[1,2]}',
      })
      assert.equal(await ns.delete('a'), true)
      assert.equal(await ns.delete('a'), false)
      assert.deepEqual(await ns.toObject(), { nested: { x: [1, 2] } })
    })

    it('fails with KEY_ERROR for a missing attribute, unless given a default', async (t) => {
      const mp = await openContext(t, topology)
      const ns = mp.namespace('cfg')
      await assertRefusedWithoutWrite(mp, 'KEY_ERROR', () => ns.get('missing'))
      assert.equal(await ns.get('missing', 'fallback'), 'fallback')
      assert.equal(await ns.get('missing', undefined), undefined)
    })

    it('keeps null as a value, distinct from a missing attribute', async (t) => {
      const mp = await openContext(t, topology)
      const ns = mp.namespace('cfg')
      await ns.set('nothing', null)
      assert.equal(await ns.get('nothing'), null)
    })

    it('refuses attribute names that are not strings and values that are not JSON', async (t) => {
      const mp = await openContext(t, topology)
      const ns = mp.namespace('cfg')
      await ns.set('a', 1)
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => ns.set(1 as unknown as string, 2))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => ns.get(Symbol() as unknown as string))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => ns.delete({} as unknown as string))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => ns.set('b', new Map() as never))
    })

    it('reads "__proto__" back as an ordinary attribute', async (t) => {
      const mp = await openContext(t, topology)
      const ns = mp.namespace('cfg')
      await ns.set('__proto__', { polluted: true })
      const object = await ns.toObject()
      assert.deepEqual(Object.keys(object), ['__proto__'])
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
    })
  })
}
