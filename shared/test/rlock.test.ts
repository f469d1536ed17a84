import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRedprocError } from '../src/index.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

for (const topology of TOPOLOGIES) {
  describe(`rlock (${topology})`, () => {
    it('counts re-entry by its handle, and is free after as many releases', async (t) => {
      const mp = await openContext(t, topology)
      const r = mp.rlock('r')
      const other = mp.rlock('r')
      for (let i = 1; i <= 3; i++) {
        assert.equal(await r.acquire({ blocking: false }), true)
        assert.equal(r.heldLevels(), i)
      }
      // Readable with redis-cli: the owner's token and the count.
      assert.match((await mp.redis.get(mp.keys('rlock', 'r').base)) ?? '', /^[0-9a-f-]+:\d+\|3$/)
      const fence = r.fencingToken
      for (let i = 2; i >= 0; i--) {
        assert.equal(await other.acquire({ blocking: false }), false)
        await r.release()
        assert.equal(r.heldLevels(), i)
        if (i > 0) assert.equal(r.fencingToken, fence, 're-entry keeps the hold')
      }
      assert.equal(await r.locked(), false)
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => r.release())
    })

    it('makes another handle wait until the last release, then wakes it', async (t) => {
      const mp = await openContext(t, topology)
      const r = mp.rlock('r', { ttl: 60_000 })
      await r.acquire()
      await r.acquire()
      const other = mp.rlock('r')
      const acquired = other.acquire({ timeout: 10_000 })
      await until(
        async () => (await mp.redis.zcard(mp.keys('rlock', 'r').part('waiters'))) === 1,
        'the waiter is listed',
      )
      await r.release()
      assert.equal(await other.locked(), true)
      assert.equal(other.held, false)
      await r.release()
      assert.equal(await acquired, true)
      assert.equal(other.heldLevels(), 1)
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => r.release())
      await other.release()
    })

    it('`await using` gives back every level', async (t) => {
      const mp = await openContext(t, topology)
      {
        await using r = mp.rlock('r')
        await r.acquire()
        await r.acquire()
        await r.acquire()
      }
      assert.equal(await mp.rlock('r').locked(), false)
    })

    it("an owner whose lease ran out cannot release the next owner's hold", async (t) => {
      const mp = await openContext(t, topology)
      const first = mp.rlock('r')
      await first.acquire()
      await first.acquire()
      await mp.redis.pexpire(mp.keys('rlock', 'r').base, 1)
      const second = mp.rlock('r')
      assert.equal(await second.acquire({ timeout: 5_000 }), true)
      await assert.rejects(first.release(), (error) => isRedprocError(error, 'NOT_OWNER'))
      assert.equal(second.heldLevels(), 1)
      await second.release()
    })
  })
}
