import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

for (const topology of TOPOLOGIES) {
  describe(`list (${topology})`, () => {
    it('appends and extends, readable with LRANGE', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.append('a')
      await l.extend(['b', { c: 1 }])
      await l.extend([])
      assert.deepEqual(await l.toArray(), ['a', 'b', { c: 1 }])
      assert.deepEqual(await mp.redis.lrange(`rp:{${mp.options.namespace}:list:l}`, 0, -1), [
        '"a"',
        '"b"',
        '{"c":1}',
      ])
      assert.equal(await l.length(), 3)
    })

    it('gets and sets by index, negative indices counting from the end', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([1, 2, 3])
      assert.equal(await l.get(0), 1)
      assert.equal(await l.get(-1), 3)
      await l.set(-1, 30)
      await l.set(0, 10)
      assert.deepEqual(await l.toArray(), [10, 2, 30])
    })

    it('fails with INDEX_ERROR on get and set out of range, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([1, 2])
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.get(2))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.get(-3))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.set(2, 0))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.set(-3, 0))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => mp.list('empty').set(0, 0))
    })

    it('pops the last item by default, or the one at an index', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend(['a', 'b', 'c', 'd', 'e'])
      assert.equal(await l.pop(), 'e')
      assert.equal(await l.pop(0), 'a')
      assert.equal(await l.pop(1), 'c')
      assert.equal(await l.pop(-2), 'b')
      assert.deepEqual(await l.toArray(), ['d'])
    })

    it('pops an item equal to others at the right place', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend(['x', 'y', 'x', 'y'])
      assert.equal(await l.pop(2), 'x')
      assert.deepEqual(await l.toArray(), ['x', 'y', 'y'])
    })

    it('fails with INDEX_ERROR popping an empty list or out of range, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const empty = mp.list('empty')
      for (const index of [undefined, 0, 3, -2]) {
        await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => empty.pop(index))
      }
      const l = mp.list('l')
      await l.extend([1, 2])
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.pop(2))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.pop(-3))
      await assert.rejects(() => empty.pop(), /pop from empty list/)
      await assert.rejects(() => l.pop(5), /pop index out of range/)
    })

    it('inserts before an index, clamping past either end like Python', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.insert(0, 'first') // into an empty list
      await l.extend(['b', 'd'])
      await l.insert(2, 'c')
      await l.insert(-1, 'c2')
      await l.insert(100, 'last')
      await l.insert(-100, 'zero')
      await l.insert(1, 'after-zero')
      const python = ['zero', 'after-zero', 'first', 'b', 'c', 'c2', 'd', 'last']
      assert.deepEqual(await l.toArray(), python)
    })

    it('inserts next to equal items at the right place', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([1, 1, 1])
      await l.insert(2, 2)
      assert.deepEqual(await l.toArray(), [1, 1, 2, 1])
    })

    it('removes the first equal item, or fails with VALUE_ERROR changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend(['a', 'b', 'a'])
      await l.remove('a')
      assert.deepEqual(await l.toArray(), ['b', 'a'])
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => l.remove('zzz'))
    })

    it('finds the index and the count of an item', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([{ k: 1 }, 'x', { k: 1 }, 'y'])
      assert.equal(await l.index('x'), 1)
      assert.equal(await l.index({ k: 1 }), 0)
      assert.equal(await l.count({ k: 1 }), 2)
      assert.equal(await l.count('nope'), 0)
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => l.index('nope'))
    })

    it('slices with Python semantics', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      const items = [0, 1, 2, 3, 4]
      await l.extend(items)
      const cases: Array<[number | undefined, number | undefined]> = [
        [undefined, undefined],
        [1, undefined],
        [1, 3],
        [-2, undefined],
        [undefined, -1],
        [1, -1],
        [-100, 100],
        [3, 1],
        [0, 0],
        [2, 2],
        [-1, -1],
        [4, -4],
        [-3, 4],
        [undefined, -100],
        [100, undefined],
      ]
      for (const [start, stop] of cases) {
        const expected = items.slice(start ?? 0, stop)
        assert.deepEqual(await l.slice(start, stop), expected, `l[${start ?? ''}:${stop ?? ''}]`)
      }
    })

    it('clears', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([1])
      await l.clear()
      assert.deepEqual(await l.toArray(), [])
    })

    it('refuses non-integer indices and non-JSON items, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([1, 2])
      const half = 0.5
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.get(half))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.set(half, 1))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.pop(half))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.insert(half, 1))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.slice(half))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.slice(0, Number.NaN))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => l.append(undefined as never))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => l.extend([3, Number.NaN]))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => l.insert(0, (() => 0) as never))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => l.set(0, 1n as never))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => l.remove(new Date() as never))
    })
  })
}
