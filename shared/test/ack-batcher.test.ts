import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { AckBatcher } from '../src/queues/joinable-queue/ack-batcher.js'
import type { Taken } from '../src/queues/joinable-queue/items.js'
import { checkLeaksAtEnd, watchLeaks } from './support/leaks.js'
import { until } from './support/until.js'

// The batcher's contract is its seam: one write function and one error
// callback. These tests play the write in memory; the joinable queue tests
// write acks to Redis.

const item = (id: string): Taken => ({ id, token: `lease-${id}`, data: `"${id}"`, counted: true })
const ids = (items: readonly Taken[]) => items.map((taken) => taken.id)

/** A write whose calls wait until the test lets each one end. */
interface Write {
  readonly items: Taken[]
  succeed(): void
  fail(error: Error): void
}

/** Records every write, written or not; `written` holds what reached the store, in order. */
class MemoryStore {
  readonly writes: Write[] = []
  readonly written: string[] = []
  readonly errors: unknown[] = []
  /** Writes end at once when true; otherwise they wait for succeed() or fail(). */
  autoSucceed = true

  readonly write = (items: Taken[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const write: Write = {
        items,
        succeed: () => {
          this.written.push(...ids(items))
          resolve()
        },
        fail: reject,
      }
      this.writes.push(write)
      if (this.autoSucceed) write.succeed()
    })

  readonly onBackgroundError = (error: unknown): void => {
    this.errors.push(error)
  }
}

function batcherFor(t: TestContext): { store: MemoryStore; acks: AckBatcher } {
  const since = watchLeaks()
  const store = new MemoryStore()
  const acks = new AckBatcher(store.write, store.onBackgroundError)
  t.after(() => {
    acks.stop()
    checkLeaksAtEnd(t, since)
  })
  return { store, acks }
}

/** Whether `promise` has settled by now (after the microtasks queued before this call). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending')
  return (await Promise.race([promise.then(() => true), Promise.resolve(pending)])) !== pending
}

describe('AckBatcher through its seams', () => {
  it('writes the acks of one turn in one write, in the order they came', async (t) => {
    const { store, acks } = batcherFor(t)
    const done = ['a', 'b', 'c'].map((id) => acks.add(item(id)))
    assert.equal(store.writes.length, 0, 'nothing is written before the burst ends')
    assert.equal(acks.size, 3)
    await Promise.all(done)
    assert.deepEqual(
      store.writes.map((write) => ids(write.items)),
      [['a', 'b', 'c']],
    )
    assert.equal(acks.size, 0)
  })

  it('acks of later turns go in later writes', async (t) => {
    const { store, acks } = batcherFor(t)
    await acks.add(item('a'))
    await Promise.all([acks.add(item('b')), acks.add(item('c'))])
    assert.deepEqual(
      store.writes.map((write) => ids(write.items)),
      [['a'], ['b', 'c']],
    )
  })

  it("an ack's promise resolves once its write has ended, not before", async (t) => {
    const { store, acks } = batcherFor(t)
    store.autoSucceed = false
    const done = acks.add(item('a'))
    await until(() => store.writes.length === 1, 'the write starts')
    assert.equal(await isSettled(done), false)
    store.writes[0]?.succeed()
    await done
    assert.deepEqual(store.written, ['a'])
  })

  it('send writes at once, without waiting for the end of the turn', (t) => {
    const { store, acks } = batcherFor(t)
    acks.add(item('a'))
    acks.send()
    assert.deepEqual(
      store.writes.map((write) => ids(write.items)),
      [['a']],
    )
  })

  it('a write does not wait behind one still on its way', async (t) => {
    const { store, acks } = batcherFor(t)
    store.autoSucceed = false
    acks.add(item('a'))
    acks.send()
    acks.add(item('b'))
    acks.send()
    assert.equal(store.writes.length, 2)
    store.writes[1]?.succeed()
    store.writes[0]?.succeed()
    await acks.settle()
    assert.deepEqual(store.written, ['b', 'a'])
  })

  it('a failed write is reported and retried after a pause: nothing is lost', async (t) => {
    const { store, acks } = batcherFor(t)
    store.autoSucceed = false
    const done = [acks.add(item('a')), acks.add(item('b'))]
    await until(() => store.writes.length === 1, 'the first write starts')
    const failure = new Error('Redis is away')
    const failedAt = performance.now()
    store.writes[0]?.fail(failure)
    await until(() => store.errors.length === 1, 'the failure is reported')
    assert.equal(store.errors[0], failure)
    assert.equal(acks.size, 2)

    store.autoSucceed = true
    // The retry's timer does not hold the process open; this wait does.
    await until(() => store.written.length === 2, 'the retry writes the acks')
    await Promise.all(done)
    assert.ok(performance.now() - failedAt >= 900, 'the retry waits before it writes again')
    assert.deepEqual(
      store.writes.map((write) => ids(write.items)),
      [
        ['a', 'b'],
        ['a', 'b'],
      ],
    )
    assert.deepEqual(store.written, ['a', 'b'])
  })

  it('acks of a failed write go ahead of those added since', async (t) => {
    const { store, acks } = batcherFor(t)
    store.autoSucceed = false
    acks.add(item('a'))
    await until(() => store.writes.length === 1, 'the first write starts')
    store.writes[0]?.fail(new Error('Redis is away'))
    await until(() => store.errors.length === 1, 'the failure is reported')
    store.autoSucceed = true
    await acks.add(item('b'))
    assert.deepEqual(
      store.writes.map((write) => ids(write.items)),
      [['a'], ['a', 'b']],
    )
  })

  it('flush writes 1000 acks per call, oldest first', async (t) => {
    const { store, acks } = batcherFor(t)
    const done = Array.from({ length: 2500 }, (_, i) => acks.add(item(`${i}`)))
    await acks.flush()
    assert.deepEqual(
      store.writes.map((write) => write.items.length),
      [1000, 1000, 500],
    )
    assert.deepEqual(
      store.written,
      Array.from({ length: 2500 }, (_, i) => `${i}`),
    )
    await Promise.all(done)
  })

  it('settle waits for writes on their way and for acks added meanwhile', async (t) => {
    const { store, acks } = batcherFor(t)
    store.autoSucceed = false
    acks.add(item('a'))
    acks.send()
    const settled = acks.settle()
    acks.add(item('b'))
    await nextTurn()
    assert.equal(await isSettled(settled), false)
    store.autoSucceed = true
    for (const write of store.writes) write.succeed()
    await settled
    assert.deepEqual([...store.written].sort(), ['a', 'b'])
    assert.equal(acks.size, 0)
  })

  it('settle fails when a write fails, and the acks stay for the next attempt', async (t) => {
    const { store, acks } = batcherFor(t)
    store.autoSucceed = false
    const done = acks.add(item('a'))
    const settled = acks.settle()
    const failure = new Error('Redis is away')
    store.writes[0]?.fail(failure)
    await assert.rejects(settled, (error) => error === failure)
    assert.equal(acks.size, 1)
    store.autoSucceed = true
    await acks.settle()
    await done
    assert.deepEqual(store.written, ['a'])
  })

  it('abandon fails the acks still pending, and they are never written', async (t) => {
    const { store, acks } = batcherFor(t)
    const done = acks.add(item('a'))
    const reason = new Error('closed')
    acks.abandon(reason)
    await assert.rejects(done, (error) => error === reason)
    await nextTurn()
    assert.equal(store.writes.length, 0)
    assert.equal(acks.size, 0)
  })
})
