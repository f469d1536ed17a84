import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRedprocError } from '../src/index.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

for (const topology of TOPOLOGIES) {
  describe(`array (${topology})`, () => {
    it('starts with its initial items, stored as a Redis list of JSON', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.array('a', [1, 'two', { three: 3 }])
      assert.deepEqual(await a.toArray(), [1, 'two', { three: 3 }])
      assert.equal(await a.length(), 3)
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:array:a}`, 0, -1), [
        '1',
        '"two"',
        '{"three":3}',
      ])
    })

    it('takes a length for an array of zeros, as Array("d", 5) does', async (t) => {
      const mp = await openContext(t, topology)
      assert.deepEqual(await mp.array('z', 4).toArray(), [0, 0, 0, 0])
    })

    it('gets and sets by index, negative indices counting from the end', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.array('a', [10, 20, 30])
      assert.equal(await a.get(0), 10)
      assert.equal(await a.get(-1), 30)
      await a.set(1, 21)
      await a.set(-1, 31)
      assert.deepEqual(await a.toArray(), [10, 21, 31])
    })

    it('is joined, not reset, by a later handle with other initial items', async (t) => {
      const mp = await openContext(t, topology)
      await mp.array('a', [1, 2, 3]).set(0, 9)
      assert.deepEqual(await mp.array('a', [7]).toArray(), [9, 2, 3])
    })

    it('fails with INDEX_ERROR out of range, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.array('a', [1, 2])
      await a.length()
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => a.get(2))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => a.get(-3))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => a.set(2, 0))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => mp.array('empty').set(0, 1))
    })

    it('refuses indices that are not integers and items that are not JSON', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.array('a', [1, 2])
      await a.length()
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => a.get(0.5))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => a.set('0' as unknown as number, 1))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => a.set(0, Number.NaN))
      assert.throws(
        () => mp.array('b', [() => 1] as never),
        (e) => isRedprocError(e, 'NOT_SERIALIZABLE'),
      )
      assert.throws(
        () => mp.array('b', 1.5),
        (e) => isRedprocError(e, 'TYPE_ERROR'),
      )
    })
  })
}
