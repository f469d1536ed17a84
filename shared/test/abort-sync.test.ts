import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Context } from '../src/index.js'
import {
  assertAbortedAtOnce,
  assertAbortedMidWait,
  assertLeftAsBefore,
  isAbortedBy,
} from './support/abort.js'
import { hasCode } from './support/error-codes.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { namespaceKeys, snapshotNamespace } from './support/snapshot.js'
import { until } from './support/until.js'

/** Long enough that no lease renewal changes Redis while a test looks. */
const LEASE = 60_000

/** Whether anyone is listed in the wait queue of (kind, name). */
function listed(mp: Context, kind: string, name: string): () => Promise<boolean> {
  const waiters = mp.keys(kind, name).part('waiters')
  return async () => (await mp.redis.zcard(waiters)) > 0
}

/** Wake-up lists and their receipts left in the namespace. */
async function wakeKeys(mp: Context): Promise<string[]> {
  return (await namespaceKeys(mp)).filter((key) => key.includes(':wake:'))
}

for (const topology of TOPOLOGIES) {
  describe(`aborting the waits of synchronization primitives (${topology})`, () => {
    it('every blocking call given an aborted signal fails with ABORTED at once, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const lock = mp.lock('l')
      const semaphore = mp.semaphore('s', 1)
      const cond = mp.condition('c')
      await cond.acquire()
      for (const call of [
        (signal: AbortSignal) => lock.acquire({ signal }),
        (signal: AbortSignal) => lock.acquire({ blocking: false, signal }),
        (signal: AbortSignal) => mp.rlock('r').acquire({ signal }),
        (signal: AbortSignal) => lock.hold({ signal }),
        (signal: AbortSignal) => lock.withLock(() => 1, { signal }),
        (signal: AbortSignal) => semaphore.acquire({ signal }),
        (signal: AbortSignal) => semaphore.hold({ signal }),
        (signal: AbortSignal) => semaphore.withPermit(() => 1, { signal }),
        (signal: AbortSignal) => mp.boundedSemaphore('b', 2).acquire({ signal }),
        (signal: AbortSignal) => cond.wait({ signal }),
        (signal: AbortSignal) => cond.waitFor(() => false, { signal }),
        (signal: AbortSignal) => mp.condition('other').acquire({ signal }),
        (signal: AbortSignal) => mp.event('e').wait({ signal }),
        (signal: AbortSignal) => mp.barrier('barrier', 1).wait({ signal }),
      ]) {
        await assertAbortedAtOnce(mp, call)
      }
      assert.equal(lock.held, false)
      assert.equal(semaphore.held, 0)
      await cond.release()
    })

    it('a signal that is not an AbortSignal is TYPE_ERROR', async (t) => {
      const mp = await openContext(t, topology)
      const signal = { aborted: true } as never
      await assert.rejects(mp.lock('l').acquire({ signal }), hasCode('TYPE_ERROR'))
      await assert.rejects(mp.semaphore('s').hold({ signal }), hasCode('TYPE_ERROR'))
      await assert.rejects(mp.event('e').wait({ signal }), hasCode('TYPE_ERROR'))
      await assert.rejects(mp.barrier('b', 2).wait({ signal }), hasCode('TYPE_ERROR'))
    })

    for (const kind of ['lock', 'rlock'] as const) {
      it(`a ${kind} acquire aborted mid-wait fails within 100 ms and leaves nothing held or queued`, async (t) => {
        const mp = await openContext(t, topology)
        const holder = mp[kind]('l', { lease: LEASE })
        await holder.acquire()
        const before = await snapshotNamespace(mp)
        const waiter = mp[kind]('l', { lease: LEASE })
        await assertAbortedMidWait(
          `${kind}.acquire`,
          (signal) => waiter.acquire({ signal }),
          listed(mp, kind, 'l'),
        )
        await assertAbortedMidWait(
          `${kind}.hold`,
          (signal) => waiter.hold({ signal, timeout: 60_000 }),
          listed(mp, kind, 'l'),
        )
        await assertLeftAsBefore(mp, before)
        assert.equal(waiter.held, false)
        await holder.release()
        assert.equal(await mp[kind]('l').acquire({ blocking: false }), true)
      })
    }

    it('a semaphore acquire aborted mid-wait fails within 100 ms; the permit count stays whole', async (t) => {
      const mp = await openContext(t, topology)
      const holder = mp.semaphore('s', 1, { lease: LEASE })
      await holder.acquire()
      const before = await snapshotNamespace(mp)
      const waiter = mp.semaphore('s', 1, { lease: LEASE })
      await assertAbortedMidWait(
        'semaphore.acquire',
        (signal) => waiter.acquire({ signal }),
        listed(mp, 'semaphore', 's'),
      )
      await assertAbortedMidWait(
        'semaphore.withPermit',
        (signal) => waiter.withPermit(() => 1, { signal }),
        listed(mp, 'semaphore', 's'),
      )
      await assertLeftAsBefore(mp, before)
      assert.equal(waiter.held, 0)
      await holder.release()
      assert.equal(await waiter.value(), 1)
      assert.equal(await mp.semaphore('s', 1).acquire({ blocking: false }), true)
    })

    // The release wakes the oldest waiter, A, before A's signal aborts: A must
    // not swallow that wake-up. It takes the lock (or permit) in its last try
    // and gives it back, which wakes B; B would otherwise sleep out its block
    // (30 s, the holder's lease being longer). The holder releases through a
    // context of its own, so A, which needs one more round trip once woken,
    // cannot take the lock before the abort.
    for (const kind of ['lock', 'semaphore'] as const) {
      it(`a ${kind} waiter woken as its signal aborts passes the wake-up on (20 rounds)`, async (t) => {
        const mp = await openContext(t, topology)
        const other = await openContext(t, topology, mp.options.namespace)
        const open = (on = mp) =>
          kind === 'lock' ? on.lock('x', { lease: LEASE }) : on.semaphore('x', 1, { lease: LEASE })
        const holder = open(other)
        const waiting = async (n: number) =>
          (await mp.redis.zcard(mp.keys(kind, 'x').part('waiters'))) === n
        for (let round = 0; round < 20; round++) {
          await holder.acquire()
          const controller = new AbortController()
          const a = open().acquire({ signal: controller.signal })
          a.catch(() => {})
          await until(() => waiting(1), 'A waits')
          const b = open()
          const bAcquired = b.acquire({ timeout: 20_000 })
          await until(() => waiting(2), 'B waits')
          await holder.release()
          controller.abort('late')
          await assert.rejects(a, isAbortedBy('late'))
          const started = performance.now()
          assert.equal(await bAcquired, true)
          const waited = performance.now() - started
          assert.ok(waited < 2000, `round ${round}: B waited ${waited} ms for the wake-up A had`)
          await b.release()
        }
        assert.deepEqual(await wakeKeys(mp), [])
        assert.equal(await mp.redis.exists(mp.keys(kind, 'x').part('waiters')), 0)
      })
    }

    it('a condition wait aborted mid-wait takes its lock back, then fails within 100 ms', async (t) => {
      const mp = await openContext(t, topology)
      const cond = mp.condition('c')
      await cond.acquire()
      await cond.acquire() // an rlock: both levels come back
      await assertAbortedMidWait(
        'condition.wait',
        (signal) => cond.wait({ signal }),
        listed(mp, 'condition', 'c'),
      )
      assert.equal(cond.lock.heldLevels(), 2)
      await assertAbortedMidWait(
        'condition.waitFor',
        (signal) => cond.waitFor(() => false, { signal, timeout: 60_000 }),
        listed(mp, 'condition', 'c'),
      )
      assert.equal(cond.lock.heldLevels(), 2)
      assert.equal(await mp.redis.exists(mp.keys('condition', 'c').part('waiters')), 0)
      assert.deepEqual(await wakeKeys(mp), [])
      await cond.release()
      await cond.release()
      assert.equal(await cond.lock.locked(), false)
    })

    it('a notify that reached a wait as its signal aborted goes to the next waiter', async (t) => {
      const mp = await openContext(t, topology)
      const waiters = mp.keys('condition', 'c').part('waiters')
      const notifier = mp.condition('c')
      for (let round = 0; round < 10; round++) {
        const controller = new AbortController()
        const a = mp.condition('c')
        await a.acquire()
        const aWait = a.wait({ signal: controller.signal }).finally(() => a.release())
        aWait.catch(() => {})
        await until(async () => (await mp.redis.zcard(waiters)) === 1, 'A waits')
        const b = mp.condition('c')
        await b.acquire()
        const bWait = b.wait({ timeout: 20_000 })
        await until(async () => (await mp.redis.zcard(waiters)) === 2, 'B waits')
        await notifier.acquire()
        assert.equal(await notifier.notify(1), 1) // A, the oldest
        await notifier.release()
        controller.abort('late')
        await assert.rejects(aWait, isAbortedBy('late'))
        const started = performance.now()
        assert.equal(await bWait, true, `round ${round}: B was not notified`)
        assert.ok(performance.now() - started < 2000)
        await b.release()
      }
      assert.deepEqual(await wakeKeys(mp), [])
    })

    it('an event wait aborted mid-wait fails within 100 ms and is no longer listed', async (t) => {
      const mp = await openContext(t, topology)
      const event = mp.event('e')
      await event.clear()
      const before = await snapshotNamespace(mp)
      await assertAbortedMidWait(
        'event.wait',
        (signal) => event.wait({ signal }),
        listed(mp, 'event', 'e'),
      )
      await assertLeftAsBefore(mp, before)
      await event.set()
      assert.equal(await mp.event('e').wait({ timeout: 0 }), true)
    })

    it('a barrier wait aborted mid-wait breaks the barrier, as a timeout does', async (t) => {
      const mp = await openContext(t, topology)
      const other = mp.barrier('b', 3).wait()
      other.catch(() => {})
      await until(listed(mp, 'barrier', 'b'), 'a party waits')
      await assertAbortedMidWait(
        'barrier.wait',
        (signal) => mp.barrier('b', 3).wait({ signal }),
        async () => (await mp.barrier('b', 3).nWaiting()) === 2,
      )
      await assert.rejects(other, hasCode('BROKEN_BARRIER'))
      assert.equal(await mp.barrier('b', 3).broken(), true)
      assert.equal(await mp.redis.exists(mp.keys('barrier', 'b').part('waiters')), 0)
      assert.deepEqual(await wakeKeys(mp), [])
      await mp.barrier('b', 3).reset()
      assert.equal(await mp.barrier('b', 3).broken(), false)
    })
  })
}
