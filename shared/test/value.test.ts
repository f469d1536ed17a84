import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRedprocError, type Json } from '../src/index.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

for (const topology of TOPOLOGIES) {
  describe(`value (${topology})`, () => {
    it('starts at its initial value and stores it as JSON on first use', async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value('v', { count: 1 })
      assert.deepEqual(await v.get(), { count: 1 })
      assert.equal(await mp.redis.get(`rp:{${mp.options.namespace}:value:v}`), '{"count":1}')
    })

    it('sets and gets any JSON value', async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value<Json[]>('v', [])
      await v.set(['a', 1, null])
      assert.deepEqual(await v.get(), ['a', 1, null])
    })

    it('defaults to null without an initial value', async (t) => {
      const mp = await openContext(t, topology)
      assert.equal(await mp.value('nothing').get(), null)
    })

    it('is joined, not reset, by a later handle with another initial value', async (t) => {
      const mp = await openContext(t, topology)
      await mp.value('n', 5).get()
      assert.equal(await mp.value('n', 100).get(), 5)
      assert.equal(await mp.value('n', 100).add(1), 6)
    })

    it('adds atomically and returns the new value, with JavaScript arithmetic', async (t) => {
      const mp = await openContext(t, topology)
      const n = mp.value('n', 0)
      assert.equal(await n.add(), 1)
      assert.equal(await n.add(41), 42)
      assert.equal(await n.add(-50), -8)
      const f = mp.value('f', 0.1)
      assert.equal(await f.add(0.2), 0.1 + 0.2)
      const big = mp.value('big', 2 ** 53 - 2)
      assert.equal(await big.add(1), 2 ** 53 - 1)
      const results = await Promise.all(Array.from({ length: 200 }, () => n.add(1)))
      assert.equal(new Set(results).size, 200)
      assert.equal(await n.get(), 192)
    })

    it('refuses to add to a value that is not a number, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value('v', 'text')
      await v.get()
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => v.add(1))
      assert.equal(await v.get(), 'text')
    })

    it('refuses an amount that is not a finite number, and a sum that overflows', async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value('v', 1e308)
      await v.get()
      for (const amount of [Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
        await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => v.add(amount))
      }
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => v.add(1e308))
      assert.equal(await v.get(), 1e308)
    })

    it('refuses values that are not plain JSON, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value<Json>('v', 1)
      await v.get()
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => v.set(new Date() as never))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => v.set(undefined as never))
      assert.equal(await v.get(), 1)
      assert.throws(
        () => mp.value('w', Number.NaN),
        (error) => isRedprocError(error, 'NOT_SERIALIZABLE'),
      )
    })

    it('refuses invalid names before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      assert.throws(
        () => mp.value('no spaces', 0),
        (error) => isRedprocError(error, 'INVALID_NAME'),
      )
    })
  })
}
