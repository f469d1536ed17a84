import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runChildren } from './support/children.js'
import { hasCode } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

for (const topology of TOPOLOGIES) {
  describe(`barrier (${topology})`, () => {
    it('releases all parties once the last arrives, with distinct indices, generation after generation', async (t) => {
      const mp = await openContext(t, topology)
      const handles = Array.from({ length: 3 }, () => mp.barrier('b', 3))
      const b = handles[0]
      assert.ok(b)
      assert.equal(b.parties, 3)
      assert.equal(await b.nWaiting(), 0)
      for (let generation = 0; generation < 3; generation++) {
        const first = handles[0]?.wait() ?? Promise.reject()
        await until(async () => (await b.nWaiting()) === 1, 'one party waits')
        const second = handles[1]?.wait() ?? Promise.reject()
        await until(async () => (await b.nWaiting()) === 2, 'two parties wait')
        const last = await (handles[2]?.wait() ?? Promise.reject())
        assert.deepEqual([await first, await second, last], [0, 1, 2])
        assert.equal(await b.nWaiting(), 0)
      }
      assert.equal(await b.broken(), false)
      assert.equal(await mp.barrier('one', 1).wait(), 0)
    })

    it('3 processes pass it 20 times, with distinct indices each time', async (t) => {
      const mp = await openContext(t, topology)
      const config = { topology, namespace: mp.options.namespace, parties: 3, generations: 20 }
      const children = await runChildren(t, 'sync-barrier-generations', Array(3).fill(config))
      const indices = children.map((child) => JSON.parse(child.stdout) as number[])
      for (let generation = 0; generation < 20; generation++) {
        const passed = indices.map((run) => run[generation]).sort()
        assert.deepEqual(passed, [0, 1, 2], `generation ${generation}`)
      }
      assert.equal(await mp.barrier('b', 3).broken(), false)
    })

    it('a wait that times out breaks the barrier for every party, until reset', async (t) => {
      const mp = await openContext(t, topology)
      const patient = assert.rejects(mp.barrier('b', 3).wait(), hasCode('BROKEN_BARRIER'))
      const b = mp.barrier('b', 3, { timeout: 100 })
      await until(async () => (await b.nWaiting()) === 1, 'one party waits')
      const started = performance.now()
      await assert.rejects(b.wait(), hasCode('BROKEN_BARRIER'))
      assert.ok(performance.now() - started >= 90)
      await patient
      assert.equal(await b.broken(), true)
      assert.equal(await b.nWaiting(), 0)
      await assertRefusedWithoutWrite(mp, 'BROKEN_BARRIER', () => b.wait())
      await b.reset()
      assert.equal(await b.broken(), false)
      const waits = [mp.barrier('b', 3), mp.barrier('b', 3), b].map((h) =>
        h.wait({ timeout: 20_000 }),
      )
      assert.deepEqual((await Promise.all(waits)).sort(), [0, 1, 2])
    })

    it('abort breaks it: waiters and later waits fail with BROKEN_BARRIER', async (t) => {
      const mp = await openContext(t, topology)
      const b = mp.barrier('b', 3)
      const waits = [b.wait(), mp.barrier('b', 3).wait()].map((wait) =>
        assert.rejects(wait, hasCode('BROKEN_BARRIER')),
      )
      await until(async () => (await b.nWaiting()) === 2, 'two parties wait')
      await mp.barrier('b', 3).abort()
      await Promise.all(waits)
      assert.equal(await b.broken(), true)
      await assert.rejects(b.wait(), hasCode('BROKEN_BARRIER'))
      await b.reset()
      assert.equal(await b.broken(), false)
      assert.equal(await mp.barrier('fresh', 2).broken(), false)
      await mp.barrier('fresh', 2).abort()
      assert.equal(await mp.barrier('fresh', 2).broken(), true)
    })

    it('reset fails current waiters with BROKEN_BARRIER and leaves it whole', async (t) => {
      const mp = await openContext(t, topology)
      const b = mp.barrier('b', 2)
      const waiting = assert.rejects(b.wait(), hasCode('BROKEN_BARRIER'))
      await until(async () => (await b.nWaiting()) === 1, 'one party waits')
      await mp.barrier('b', 2).reset()
      await waiting
      assert.equal(await b.broken(), false)
      assert.equal(await b.nWaiting(), 0)
      const pair = [b.wait(), mp.barrier('b', 2).wait()]
      assert.deepEqual((await Promise.all(pair)).sort(), [0, 1])
    })

    it('refuses a handle with another number of parties, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const waiting = mp.barrier('b', 2).wait({ timeout: 20_000 })
      await until(async () => (await mp.barrier('b', 2).nWaiting()) === 1, 'one party waits')
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => mp.barrier('b', 3).wait())
      assert.equal(await mp.barrier('b', 2).wait(), 1)
      assert.equal(await waiting, 0)
    })

    it('refuses bad arguments before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      assert.throws(() => mp.barrier('b', 0), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.barrier('b', 2.5), hasCode('TYPE_ERROR'))
      assert.throws(() => mp.barrier('b', 2, { timeout: -1 }), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.barrier('bad name', 2), hasCode('INVALID_NAME'))
      const b = mp.barrier('b', 2)
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => b.wait({ timeout: 'x' as never }))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => b.wait({ timeout: -1 }))
    })
  })
}
