import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Context, inspectSync, type SyncState } from '../src/index.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { until } from './support/until.js'

function find<K extends SyncState['kind']>(
  states: SyncState[],
  kind: K,
  name: string,
): SyncState & { kind: K } {
  const state = states.find((s) => s.kind === kind && s.name === name)
  assert.ok(state, `${kind} '${name}' is listed`)
  return state as SyncState & { kind: K }
}

/** The state of one object, or undefined while it has none in Redis. */
async function lookUp<K extends SyncState['kind']>(
  mp: Context,
  kind: K,
  name: string,
): Promise<(SyncState & { kind: K }) | undefined> {
  const states = await inspectSync(mp)
  return states.find((s) => s.kind === kind && s.name === name) as
    | (SyncState & { kind: K })
    | undefined
}

for (const topology of TOPOLOGIES) {
  describe(`inspectSync (${topology})`, () => {
    it('shows a held lock with its fencing token and a waiter, then the lock free', async (t) => {
      const mp = await openContext(t, topology)
      const holder = mp.lock('l')
      const other = mp.lock('l')
      assert.equal(await holder.acquire(), true)
      const waiting = other.acquire({ timeout: 20_000 })
      await until(async () => (await lookUp(mp, 'lock', 'l'))?.waiters === 1, 'one waiter')
      const held = find(await inspectSync(mp), 'lock', 'l')
      assert.equal(held.held, true)
      assert.equal(held.fencingToken, holder.fencingToken)
      assert.equal(held.level, 1)
      assert.ok(held.leaseMs !== null && held.leaseMs > 0)
      await holder.release()
      assert.equal(await waiting, true)
      await other.release()
      const free = find(await inspectSync(mp), 'lock', 'l')
      assert.equal(free.held, false)
      assert.equal(free.holder, null)
    })

    it('shows an rlock re-entered, a semaphore with its holders, an event, a barrier', async (t) => {
      const mp = await openContext(t, topology)
      const r = mp.rlock('r')
      await r.acquire()
      await r.acquire()
      const s = mp.semaphore('s', 3)
      await s.acquire()
      await s.acquire()
      await mp.event('e').set()
      const barrier = mp.barrier('b', 3)
      const arrived = barrier.wait({ timeout: 20_000 }).catch(() => -1)
      await until(async () => (await lookUp(mp, 'barrier', 'b'))?.waiting === 1, 'one party')
      const states = await inspectSync(mp)
      assert.equal(find(states, 'rlock', 'r').level, 2)
      const semaphore = find(states, 'semaphore', 's')
      assert.equal(semaphore.value, 1)
      assert.equal(semaphore.initial, 3)
      assert.equal(semaphore.holders.length, 2)
      assert.equal(find(states, 'event', 'e').set, true)
      assert.deepEqual(
        { ...find(states, 'barrier', 'b'), waiters: undefined },
        {
          kind: 'barrier',
          name: 'b',
          parties: 3,
          waiting: 1,
          generation: 0,
          broken: false,
          waiters: undefined,
        },
      )
      await barrier.abort()
      assert.equal(await arrived, -1)
      await r.release()
      await r.release()
      await s.release()
      await s.release()
    })

    it("lists a value's lock as the value's, and nothing else of the value", async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value('hits', 0)
      await v.add(1)
      await v.getLock().acquire()
      const states = await inspectSync(mp)
      assert.deepEqual(
        states.map((s) => [s.kind, s.name, 'of' in s ? s.of : undefined]),
        [['lock', 'hits', "value 'hits'"]],
      )
      await v.getLock().release()
    })
  })
}
