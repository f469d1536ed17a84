import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Cluster } from 'ioredis'
import { runChild, runChildren, startChild } from './support/children.js'
import { hasCode } from './support/error-codes.js'
import { commandCalls, startPrivateRedis } from './support/private-redis.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'
import { until } from './support/until.js'

for (const topology of TOPOLOGIES) {
  describe(`lock (${topology})`, () => {
    it('is held by one handle at a time; locked() tells whether anyone holds it', async (t) => {
      const mp = await openContext(t, topology)
      const a = mp.lock('l')
      const b = mp.lock('l')
      assert.equal(await a.locked(), false)
      assert.equal(await a.acquire(), true)
      assert.equal(a.held, true)
      assert.equal(await b.locked(), true)
      assert.equal(await b.acquire({ blocking: false }), false)
      assert.equal(b.held, false)
      await a.release()
      assert.equal(await b.locked(), false)
      assert.equal(await b.acquire({ blocking: false }), true)
      await b.release()
    })

    it('is not re-entrant: the holding handle waits for itself, as in Python', async (t) => {
      const mp = await openContext(t, topology)
      const lock = mp.lock('l')
      await lock.acquire()
      assert.equal(await lock.acquire({ blocking: false }), false)
      const started = performance.now()
      assert.equal(await lock.acquire({ timeout: 150 }), false)
      assert.ok(performance.now() - started >= 140)
      await lock.release()
    })

    it('gives up after its timeout, and timeout 0 only tries', async (t) => {
      const mp = await openContext(t, topology)
      await mp.lock('l').acquire()
      const other = mp.lock('l')
      let started = performance.now()
      assert.equal(await other.acquire({ timeout: 200 }), false)
      const waited = performance.now() - started
      assert.ok(waited >= 190 && waited < 2000, `waited ${waited} ms`)
      started = performance.now()
      assert.equal(await other.acquire({ timeout: 0 }), false)
      assert.ok(performance.now() - started < 500)
      const queue = mp.keys('lock', 'l')
      assert.equal(await mp.redis.exists(queue.part('waiters'), queue.part('deadlines')), 0)
    })

    it('wakes a waiter by the release itself, not by its lease or a poll', async (t) => {
      const mp = await openContext(t, topology)
      const holder = mp.lock('l', { ttl: 60_000 })
      await holder.acquire()
      const waiter = mp.lock('l', { ttl: 60_000 })
      const acquired = waiter.acquire()
      await until(
        async () => (await mp.redis.zcard(mp.keys('lock', 'l').part('waiters'))) === 1,
        'the waiter is listed',
      )
      const released = performance.now()
      await holder.release()
      assert.equal(await acquired, true)
      // Far below the 60 s lease and the 30 s longest block: woken by the release.
      assert.ok(performance.now() - released < 5_000, 'the waiter was not woken by the release')
      assert.equal(waiter.held, true)
      await waiter.release()
    })

    it('hands over to each of many waiters in turn', async (t) => {
      const mp = await openContext(t, topology)
      const handles = Array.from({ length: 8 }, () => mp.lock('l'))
      let inside = 0
      let most = 0
      await Promise.all(
        handles.map(async (lock) => {
          for (let i = 0; i < 5; i++) {
            await lock.withLock(async () => {
              most = Math.max(most, ++inside)
              await mp.redis.ping()
              inside--
            })
          }
        }),
      )
      assert.equal(most, 1)
      assert.equal(await handles[0]?.locked(), false)
    })

    it('a live holder keeps its lock past its ttl, a hold started between two renewals too', async (t) => {
      const mp = await openContext(t, topology)
      const first = mp.lock('a', { ttl: 300 })
      const second = mp.lock('b', { ttl: 300 })
      await first.acquire()
      await sleep(150)
      await second.acquire()
      await sleep(1000)
      assert.equal(await mp.lock('a').acquire({ blocking: false }), false)
      assert.equal(await mp.lock('b').acquire({ blocking: false }), false)
      assert.deepEqual([first.held, second.held], [true, true])
      await first.release()
      await second.release()
    })

    it('refuses release() by a handle that does not hold it, changing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const holder = mp.lock('l')
      await holder.acquire()
      const other = mp.lock('l')
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => other.release())
      await holder.release()
      await assertRefusedWithoutWrite(mp, 'NOT_OWNER', () => holder.release())
    })

    it("a holder whose lease ran out cannot release the next holder's hold", async (t) => {
      const mp = await openContext(t, topology)
      const first = mp.lock('l', { ttl: 5_000 })
      await first.acquire()
      const firstFence = first.fencingToken ?? 0
      // What a long pause of the first holder's process looks like from Redis.
      await mp.redis.pexpire(mp.keys('lock', 'l').base, 1)
      const second = mp.lock('l')
      assert.equal(await second.acquire({ timeout: 5_000 }), true)
      assert.ok((second.fencingToken ?? 0) > firstFence, 'fencing tokens rise')
      await assert.rejects(first.release(), hasCode('NOT_OWNER'))
      assert.equal(first.held, false)
      assert.equal(second.held, true)
      assert.equal(await second.locked(), true)
      await second.release()
    })

    it('a frozen holder loses the lock after its lease, and cannot release it after', async (t) => {
      const mp = await openContext(t, topology)
      const child = startChild(t, 'sync-lock-frozen', { topology, namespace: mp.options.namespace })
      const pid = mp.value<number | null>('pid')
      await until(async () => (await pid.get()) !== null, 'the child holds the lock')
      child.kill('SIGSTOP')
      const lock = mp.lock('l')
      assert.equal(await lock.acquire({ timeout: 10_000 }), true)
      child.kill('SIGCONT')
      await mp.event('go').set()
      const { outcome, fence } = await child.result<{ outcome: string; fence: number }>()
      assert.equal(outcome, 'NOT_OWNER')
      assert.ok((lock.fencingToken ?? 0) > fence)
      assert.equal(await lock.locked(), true)
      assert.equal(lock.held, true)
      await lock.release()
    })

    it("a SIGKILLed holder's lock is free once its lease ends, waking a waiter", async (t) => {
      const mp = await openContext(t, topology)
      const ttl = 1_500
      const child = startChild(t, 'sync-lock-killed', {
        topology,
        namespace: mp.options.namespace,
        kind: 'lock',
        ttl,
      })
      assert.equal(await mp.event('held').wait({ timeout: 20_000 }), true)
      const lock = mp.lock('l')
      const acquired = lock.acquire({ timeout: 20_000 })
      await until(
        async () => (await mp.redis.zcard(mp.keys('lock', 'l').part('waiters'))) === 1,
        'the waiter is listed',
      )
      await mp.event('die').set()
      const killed = await child.exited
      assert.equal(killed.signal, 'SIGKILL')
      const diedAt = performance.now()
      assert.equal(await mp.lock('l').locked(), true, 'the dead holder still holds it')
      assert.equal(await acquired, true)
      const waited = performance.now() - diedAt
      // Within its lease, not at the 30 s longest block: woken when the lease ended.
      assert.ok(waited < ttl + 5_000, `the waiter woke ${waited} ms after the holder died`)
      await lock.release()
    })

    it('a waiter killed while queued delays the next waiter by one lease at most', async (t) => {
      const mp = await openContext(t, topology)
      const ttl = 1_000
      const holder = mp.lock('l', { ttl })
      await holder.acquire()
      const waitersKey = mp.keys('lock', 'l').part('waiters')
      const doomed = startChild(t, 'sync-lock-waiter', {
        topology,
        namespace: mp.options.namespace,
      })
      await until(
        async () => (await mp.redis.zcard(waitersKey)) === 1,
        'the doomed waiter is queued',
      )
      doomed.kill('SIGKILL')
      assert.equal((await doomed.exited).signal, 'SIGKILL')
      const live = mp.lock('l')
      const acquired = live.acquire({ timeout: 20_000 })
      await until(async () => (await mp.redis.zcard(waitersKey)) === 2, 'the live waiter is queued')
      const released = performance.now()
      await holder.release() // wakes the dead waiter, which is first in line
      assert.equal(await acquired, true)
      const waited = performance.now() - released
      assert.ok(waited < ttl + 5_000, `the live waiter got the lock ${waited} ms after the release`)
      await live.release()
    })

    it('4 processes × 250 increments of a value under getLock() reach exactly 1,000', async (t) => {
      const mp = await openContext(t, topology)
      const config = { topology, namespace: mp.options.namespace, count: 250 }
      await runChildren(t, 'sync-value-increment', Array(4).fill(config), 90_000)
      assert.equal(await mp.value('n', 0).get(), 1000)
    })

    it('getLock() is one handle per value or array, in the same hash slot', async (t) => {
      const mp = await openContext(t, topology)
      const v = mp.value('v', 0)
      assert.equal(v.getLock(), v.getLock())
      const a = mp.array('a', [0])
      await v.getLock().acquire()
      assert.equal(await a.getLock().acquire({ blocking: false }), true, 'array and value differ')
      assert.equal(await mp.value('v', 0).getLock().acquire({ blocking: false }), false)
      await Promise.all([v.getLock().release(), a.getLock().release()])
      if (mp.redis instanceof Cluster) {
        const keys = mp.keys('value', 'v')
        const slots = await Promise.all(
          [keys.base, keys.part('lock'), keys.part('lock:waiters')].map((key) =>
            (mp.redis as Cluster).cluster('KEYSLOT', key),
          ),
        )
        assert.equal(new Set(slots).size, 1)
      }
    })

    it('withLock, hold() and `await using` release what they took', async (t) => {
      const mp = await openContext(t, topology)
      const lock = mp.lock('l')
      assert.equal(await lock.withLock(() => 42), 42)
      assert.equal(await lock.locked(), false)
      await assert.rejects(
        lock.withLock(() => {
          throw new Error('boom')
        }),
        /boom/,
      )
      assert.equal(await lock.locked(), false)
      {
        await using _ = await lock.hold()
        assert.equal(await lock.locked(), true)
      }
      assert.equal(await lock.locked(), false)
      {
        await using scoped = mp.lock('l')
        await scoped.acquire()
        assert.equal(await lock.locked(), true)
      }
      assert.equal(await lock.locked(), false)
      await mp.lock('l').acquire()
      await assert.rejects(lock.hold({ timeout: 50 }), hasCode('TIMEOUT'))
      await assert.rejects(
        lock.withLock(() => 1, { timeout: 50 }),
        hasCode('TIMEOUT'),
      )
    })

    it('refuses bad arguments before touching Redis', async (t) => {
      const mp = await openContext(t, topology)
      const lock = mp.lock('l')
      for (const [options, expected] of [
        [{ timeout: -1 }, 'VALUE_ERROR'],
        [{ timeout: 'soon' }, 'TYPE_ERROR'],
        [{ blocking: false, timeout: 10 }, 'VALUE_ERROR'],
        [{ blocking: 'no' }, 'TYPE_ERROR'],
      ] as const) {
        await assertRefusedWithoutWrite(mp, expected, () => lock.acquire(options as never))
      }
      assert.throws(() => mp.lock('l', { ttl: 0 }), hasCode('VALUE_ERROR'))
      assert.throws(() => mp.lock('l', { ttl: 1.5 }), hasCode('TYPE_ERROR'))
      assert.throws(() => mp.rlock('bad name'), hasCode('INVALID_NAME'))
      assert.throws(() => mp.lock('bad name'), hasCode('INVALID_NAME'))
    })

    it('a process that closes its context while holding exits by itself and frees all', async (t) => {
      const mp = await openContext(t, topology)
      const child = await runChild(t, 'sync-hold-and-close', {
        topology,
        namespace: mp.options.namespace,
      })
      assert.ok(child.elapsedMs < 15_000)
      assert.equal(await mp.lock('l').locked(), false)
      assert.equal(await mp.rlock('r').locked(), false)
      assert.equal(await mp.semaphore('s', 2).value(), 2)
      assert.equal(await mp.condition('c').lock.locked(), false)
    })
  })
}

describe('the lease of a holder', () => {
  it('is `lease` on locks, rlocks and semaphores; `ttl`, the contract name, is the same option', async (t) => {
    const mp = await openContext(t)
    for (const open of [
      (options: object) => mp.lock('l', options),
      (options: object) => mp.rlock('r', options),
      (options: object) => mp.semaphore('s', 1, options),
      (options: object) => mp.boundedSemaphore('b', 1, options),
    ]) {
      assert.equal(open({ lease: 5000 }).ttl, 5000)
      assert.equal(open({ ttl: 5000 }).lease, 5000)
      assert.equal(open({ lease: 5000, ttl: 5000 }).lease, 5000)
      assert.equal(open({}).lease, 10_000)
      assert.throws(() => open({ lease: 5000, ttl: 6000 }), hasCode('VALUE_ERROR'))
      assert.throws(() => open({ lease: 0 }), hasCode('VALUE_ERROR'))
      assert.throws(() => open({ lease: '5s' }), hasCode('TYPE_ERROR'))
    }
    const lock = mp.lock('l', { lease: 5000 })
    await lock.acquire()
    const pttl = await mp.redis.pttl(mp.keys('lock', 'l').base)
    assert.ok(pttl > 4000 && pttl <= 5000, `the hold expires in ${pttl} ms`)
    await lock.release()
  })
})

describe('lock, uncontended', () => {
  it('takes and gives back a free lock in one script each, leaving the waiters alone', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    const lock = mp.lock('l')
    await lock.acquire() // loads the scripts
    await lock.release()
    await redis.admin.config('RESETSTAT')
    const fences: number[] = []
    for (let i = 0; i < 3; i++) {
      assert.equal(await lock.acquire(), true)
      fences.push(lock.fencingToken ?? 0)
      await lock.release()
    }
    assert.deepEqual(fences, [2, 3, 4])
    const calls = Object.fromEntries(
      [...(await commandCalls(redis.admin))].filter(([name]) => !name.startsWith('config')),
    )
    // To take: EXISTS, INCR and SET; to give back: GET, DEL, and EXISTS of the waiters.
    assert.deepEqual(calls, { evalsha: 6, incr: 3, set: 3, get: 3, del: 3, exists: 6 })
  })
})
