import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Json } from '../src/index.js'
import { hasCode } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

// Every expected order below is what CPython 3 gives for the same list.
for (const topology of TOPOLOGIES) {
  describe(`list sort and reverse (${topology})`, () => {
    it('sorts numbers, strings and arrays as Python does', async (t) => {
      const mp = await openContext(t, topology)
      const cases: Array<[Json[], Json[]]> = [
        // bool is an int in Python: true ties with 1 and keeps its place
        [
          [2, true, 1, false, 0.5],
          [false, 0.5, true, 1, 2],
        ],
        // by code point: 'B' before 'a', U+FFFF before an astral character
        [
          ['b', 'a', 'B', '\uffff', '😀', 'é', ''],
          ['', 'B', 'a', 'b', 'é', '\uffff', '😀'],
        ],
        // arrays item by item, a prefix first; null and objects may be equal inside them
        [
          [[1, 2], [1], [0, 5], []],
          [[], [0, 5], [1], [1, 2]],
        ],
        [
          [[[1]], [[]]],
          [[[]], [[1]]],
        ],
        [
          [
            [[null], 1],
            [[null], 0],
          ],
          [
            [[null], 0],
            [[null], 1],
          ],
        ],
        [
          [
            [{}, 1],
            [{}, 0],
          ],
          [
            [{}, 0],
            [{}, 1],
          ],
        ],
        [[null], [null]],
        [[], []],
      ]
      for (const [index, [items, sorted]] of cases.entries()) {
        const l = mp.list(`l${index}`)
        await l.extend(items)
        await l.sort()
        assert.deepEqual(await l.toArray(), sorted, JSON.stringify(items))
      }
    })

    it('sorts largest first with reverse, equal items keeping their order', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([2, true, 1, false, 0.5])
      await l.sort({ reverse: true })
      assert.deepEqual(await l.toArray(), [2, true, 1, 0.5, false])
    })

    it('sorts by a field or a path of fields and indices, stably', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('people')
      await l.extend([
        { name: 'a', age: 3, tags: ['x', 'k'] },
        { name: 'b', age: 1, tags: ['w', 'm'] },
        { name: 'c', age: 3, tags: ['y', 'j'] },
        { name: 'd', age: 2, tags: ['z', 'l'] },
      ])
      const names = async () => (await l.toArray()).map((person) => (person as { name: Json }).name)
      await l.sort({ key: 'age' })
      assert.deepEqual(await names(), ['b', 'd', 'a', 'c'])
      await l.sort({ key: ['age'], reverse: true })
      assert.deepEqual(await names(), ['a', 'c', 'd', 'b'])
      await l.sort({ key: ['tags', -1] })
      assert.deepEqual(await names(), ['c', 'a', 'd', 'b'])
      await l.sort({ key: ['tags', 0] })
      assert.deepEqual(await names(), ['b', 'a', 'c', 'd'])
    })

    it('orders strings that look like empty objects as strings', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend(['{}b', '{"a', 'q"{}z', 'q"{"a', '\\{}'])
      await l.sort()
      assert.deepEqual(await l.toArray(), ['\\{}', 'q"{"a', 'q"{}z', '{"a', '{}b'])
    })

    it('refuses what Python cannot order with TYPE_ERROR, leaving the list as it was', async (t) => {
      const mp = await openContext(t, topology)
      const refused: Json[][] = [
        [1, 'a'],
        [null, null],
        [{}, {}],
        [{ a: 1 }, { a: 1 }],
        [[1], ['a']],
        // an empty object is not an empty array, though Redis's Lua decodes both alike
        [[{}], [[]]],
        [[{ a: '{}' }], [{ a: '{}' }], [[]]],
      ]
      for (const [index, items] of refused.entries()) {
        const l = mp.list(`l${index}`)
        await l.extend(items)
        await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.sort())
      }
    })

    it('refuses a key that does not fit the items, leaving the list as it was', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([
        { age: 1, tags: [] },
        { age: 2, tags: ['x'] },
      ])
      await assertRefusedWithoutWrite(mp, 'KEY_ERROR', () => l.sort({ key: 'name' }))
      await assertRefusedWithoutWrite(mp, 'INDEX_ERROR', () => l.sort({ key: ['tags', 0] }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.sort({ key: ['age', 'x'] }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.sort({ key: [0] }))
      // as in Python, the key is taken of a lone item too
      const one = mp.list('one')
      await one.append({ age: 1 })
      await assertRefusedWithoutWrite(mp, 'KEY_ERROR', () => one.sort({ key: 'name' }))
      const empty = mp.list('empty-objects')
      await empty.extend([{}, {}])
      await assertRefusedWithoutWrite(mp, 'KEY_ERROR', () => empty.sort({ key: 'a' }))
    })

    it('refuses bad options with TYPE_ERROR before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([2, 1])
      const bad = [
        null,
        5,
        { bogus: true },
        { reverse: 'yes' },
        { key: (item: { age: number }) => item.age },
        { key: 5 },
        { key: ['a', 0.5] },
        { key: [null] },
      ]
      for (const options of bad) {
        await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => l.sort(options as never))
      }
      await assert.rejects(l.sort({ key: () => 0 } as never), /inside Redis/)
    })

    it('fails with NOT_SERIALIZABLE on an item written outside redproc', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.append(1)
      await mp.redis.rpush(`rp:{${mp.options.namespace}:list:l}`, 'not json')
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => l.sort())
    })

    it('sorts and reverses lists longer than one batch of the script', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      const items = Array.from({ length: 2500 }, (_, i) => (i * 7919) % 2500)
      await l.extend(items)
      await l.sort()
      assert.deepEqual(
        await l.toArray(),
        [...items].sort((a, b) => a - b),
      )
      await l.reverse()
      assert.deepEqual(
        await l.toArray(),
        [...items].sort((a, b) => b - a),
      )
    })

    it('reverses in place; an empty list stays absent', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list('l')
      await l.extend([1, 'two', { three: 3 }])
      await l.reverse()
      assert.deepEqual(await l.toArray(), [{ three: 3 }, 'two', 1])
      const empty = mp.list('empty')
      await empty.reverse()
      await empty.sort()
      assert.equal(await mp.redis.exists(`rp:{${mp.options.namespace}:list:empty}`), 0)
    })

    it('loses no item to appends made while it sorts: each sort is one atomic step', async (t) => {
      const mp = await openContext(t, topology)
      const l = mp.list<number>('l')
      await l.extend(Array.from({ length: 500 }, (_, i) => 500 - i))
      const appends = Array.from({ length: 200 }, (_, i) => l.append(1000 + i))
      const sorts = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? l.sort() : l.reverse()))
      await Promise.all([...appends, ...sorts])
      const items = await l.toArray()
      assert.equal(items.length, 700)
      assert.equal(new Set(items).size, 700)
    })
  })
}

describe('list sort messages', () => {
  it('say what sort orders and how to sort objects', async (t) => {
    const mp = await openContext(t)
    const l = mp.list('l')
    await l.extend([{ a: 1 }, { a: 2 }])
    await assert.rejects(l.sort(), (error) => {
      hasCode('TYPE_ERROR')(error)
      assert.match(String(error), /list 'l': cannot order an object and an object/)
      assert.match(String(error), /with \{ key \}/)
      return true
    })
  })
})
