import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runChild, runChildren } from './support/children.js'
import { openContext } from './support/redis.js'

describe('shared state across processes', () => {
  it('a child process sees what the parent wrote', async (t) => {
    const mp = await openContext(t)
    await mp.value('v', 0).set(42)
    await mp.array('a', [1, 2, 3]).set(1, 20)
    await mp.namespace('ns').set('a', { deep: true })
    await mp.dict('d').update({ x: 1, y: 'two' })
    await mp.list('l').extend([null, [1]])

    const child = await runChild(t, 'state-read', [mp.options.namespace])
    assert.deepEqual(JSON.parse(child.stdout), {
      value: 42,
      array: [1, 20, 3],
      namespace: { a: { deep: true } },
      dict: { x: 1, y: 'two' },
      list: [null, [1]],
    })
  })

  it("the parent sees what a child changed, as in the seed's Manager example", async (t) => {
    const mp = await openContext(t)
    const ns = mp.namespace('ns')
    await ns.set('a', 3)
    const l = mp.list('l')
    await l.append('a')
    const d = mp.dict('d')
    await d.set('b', 2)

    await runChild(t, 'state-modify', [mp.options.namespace])

    assert.equal(await ns.get('a'), 9)
    assert.deepEqual(await l.toArray(), ['a', 'b', 'c'])
    assert.deepEqual(await d.toObject(), { b: 0 })
  })

  it('4 processes adding 1 a thousand times each reach exactly 4,000', async (t) => {
    const mp = await openContext(t)
    await runChildren(t, 'value-add', Array(4).fill([mp.options.namespace, '1000']))
    assert.equal(await mp.value('n', 0).get(), 4000)
  })
})
