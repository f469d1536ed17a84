import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Context } from '../src/index.js'
import { hasCode } from './support/error-codes.js'
import { openContext } from './support/redis.js'
import { assertRefusedWithoutWrite } from './support/snapshot.js'

/** Lets a test pass what the types forbid, as JavaScript callers and JSON input do. */
function junk<T>(value: unknown): T {
  return value as T
}

describe('bad input is refused with a RedprocError, before Redis is written', () => {
  it('null options to every factory: TYPE_ERROR', async (t) => {
    const mp = await openContext(t)
    const factories: Array<(mp: Context) => unknown> = [
      (mp) => mp.queue('q', junk(null)),
      (mp) => mp.joinableQueue('j', junk(null)),
      (mp) => mp.pipe('p', junk(null)),
      (mp) => mp.lock('l', junk(null)),
      (mp) => mp.rlock('r', junk(null)),
      (mp) => mp.semaphore('s', 1, junk(null)),
      (mp) => mp.boundedSemaphore('b', 1, junk(null)),
      (mp) => mp.barrier('b', 2, junk(null)),
      (mp) => mp.pool(junk(null)),
    ]
    for (const make of factories) assert.throws(() => make(mp), hasCode('TYPE_ERROR'))
  })

  it('null options to every wait: TYPE_ERROR', async (t) => {
    const mp = await openContext(t)
    const condition = mp.condition('c')
    await condition.acquire()
    const waits: Array<() => Promise<unknown>> = [
      () => mp.queue('q').get(junk(null)),
      () => mp.queue('q').put(1, junk(null)),
      () => mp.joinableQueue('j').get(junk(null)),
      () => mp.joinableQueue('j').join(junk(null)),
      () => mp.pipe('p')[0].recv(junk(null)),
      () => mp.lock('l').acquire(junk(null)),
      () => mp.semaphore('s').acquire(junk(null)),
      () => mp.event('e').wait(junk(null)),
      () => mp.barrier('b', 2).wait(junk(null)),
      () => condition.wait(junk(null)),
    ]
    for (const wait of waits) await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', wait)
    await condition.release()
  })

  it('unknown option keys and wrong option types: TYPE_ERROR', async (t) => {
    const mp = await openContext(t)
    assert.throws(() => mp.pipe('p', junk({ duplex: 'no' })), hasCode('TYPE_ERROR'))
    assert.throws(() => mp.queue('q', junk({ maxSize: 3 })), hasCode('TYPE_ERROR'))
    assert.throws(() => mp.lock('l', junk({ ttl: '10s' })), hasCode('TYPE_ERROR'))
    await assert.rejects(mp.queue('q').get(junk({ timeout: '1' })), hasCode('TYPE_ERROR'))
    await assert.rejects(mp.lock('l').withLock(junk(5)), hasCode('TYPE_ERROR'))
    assert.throws(() => mp.condition('c', junk({})), hasCode('TYPE_ERROR'))
  })

  it('every method of queues, pipes, dicts and lists that takes options names itself', async (t) => {
    const mp = await openContext(t)
    const jq = mp.joinableQueue('j')
    const refusals: Array<[() => Promise<unknown>, RegExp]> = [
      [() => jq.getJob('1', junk({ bogus: 1 })), /getJob\(\) options has no option "bogus"/],
      [() => jq.getJob('1', junk(null)), /getJob\(\) options must be an object/],
      [() => jq.getJob('1', junk({ wait: '5' })), /wait must be a number/],
      [() => jq.putMany([1], junk({ bogus: 1 })), /putMany\(\) options has no option "bogus"/],
      [() => jq.join(junk({ bogus: 1 })), /join\(\) options has no option "bogus"/],
      [() => mp.queue('q').get(junk(false)), /get\(\) options must be an object/],
      [() => mp.queue('q').put(1, junk({ block: 'no' })), /block must be a boolean/],
      [() => jq.get(junk({ block: 0 })), /block must be a boolean/],
      [() => mp.pipe('p')[0].recv(junk({ bogus: 1 })), /recv\(\) options has no option/],
      [() => mp.list('l').sort(junk({ bogus: 1 })), /sort\(\) options has no option "bogus"/],
    ]
    for (const [call, message] of refusals) {
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', call)
      await assert.rejects(call, message)
    }
  })

  it("a pool's unknown backend: VALUE_ERROR, not a redis pool that waits forever", async (t) => {
    const mp = await openContext(t)
    assert.throws(() => mp.pool(junk({ backend: 'bogus' })), hasCode('VALUE_ERROR'))
    assert.throws(() => mp.pool(junk({ backend: 'redis', tasks: 'x.js' })), hasCode('TYPE_ERROR'))
    assert.throws(() => mp.pool(junk({ backend: 'local' })), hasCode('TYPE_ERROR'))
  })

  it('dict.update takes a plain object, a Map or pairs: TYPE_ERROR for null, 5, "ab"', async (t) => {
    const mp = await openContext(t)
    const dict = mp.dict('d')
    await dict.set('kept', 1)
    for (const other of [null, 5, 'ab', new Date(), [['a', 1], 'b']]) {
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => dict.update(junk(other)))
    }
    // Python: "dictionary update sequence element #0 has length 1; 2 is required"
    await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => dict.update(junk([['a']])))
    await dict.update(new Map([['m', 2]]))
    await dict.update([['p', 3]])
    assert.deepEqual(await dict.toObject(), { kept: 1, m: 2, p: 3 })
  })

  it('list.extend and queue.putMany take iterables: TYPE_ERROR for 5, null, a string', async (t) => {
    const mp = await openContext(t)
    for (const items of [5, null, 'ab', { length: 2 }]) {
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => mp.list('l').extend(junk(items)))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => mp.queue('q').putMany(junk(items)))
    }
    for (const items of [5, null, { length: 2 }]) {
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () =>
        mp.joinableQueue('j').putMany(junk(items)),
      )
    }
  })

  it('mp.array: a negative or huge length is VALUE_ERROR, at once, without allocating', async (t) => {
    const mp = await openContext(t)
    assert.throws(() => mp.array('a', -1), hasCode('VALUE_ERROR'))
    assert.throws(() => mp.array('a', 2 ** 32), hasCode('VALUE_ERROR'))
    const started = performance.now()
    assert.throws(() => mp.array('a', 1e8), hasCode('VALUE_ERROR'))
    assert.ok(performance.now() - started < 50, 'refusing a huge length took long')
    assert.throws(() => mp.array('a', junk<number>('abc')), hasCode('TYPE_ERROR'))
    assert.throws(() => mp.array('a', junk<number>(null)), hasCode('TYPE_ERROR'))
    assert.throws(() => mp.array('a', 1.5), hasCode('TYPE_ERROR'))
  })

  it('mp.array of 10,000 zeros or items is created in one step', async (t) => {
    const mp = await openContext(t)
    const zeros = mp.array('zeros', 10_000)
    assert.equal(await zeros.length(), 10_000)
    assert.equal(await zeros.get(-1), 0)
    const items = mp.array(
      'items',
      Array.from({ length: 10_000 }, (_, i) => i),
    )
    assert.equal(await items.get(9_999), 9_999)
  })

  it('a refused boundedSemaphore.release() writes nothing', async (t) => {
    const mp = await openContext(t)
    // Never used yet: the refusal must not create its hash.
    await assertRefusedWithoutWrite(mp, 'SEMAPHORE_OVERFLOW', () =>
      mp.boundedSemaphore('fresh', 2).release(),
    )
    const semaphore = mp.boundedSemaphore('used', 2)
    assert.equal(await semaphore.acquire(), true)
    await assertRefusedWithoutWrite(mp, 'SEMAPHORE_OVERFLOW', () => semaphore.release(3))
    await semaphore.release()
    assert.equal(await semaphore.value(), 2)
  })
})
