import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { isRedprocError } from '../src/index.js'
import { ItemFetcher, type ItemSource } from '../src/queues/joinable-queue/item-fetcher.js'
import type { ShutdownState, Taken } from '../src/queues/joinable-queue/items.js'
import { checkLeaksAtEnd, watchLeaks } from './support/leaks.js'
import { until } from './support/until.js'

// The fetcher's contract is its seam: the functions of an ItemSource. These
// tests play the queue behind it in memory; the joinable queue tests run the
// same class against Redis.

const item = (id: string): Taken => ({ id, token: `lease-${id}`, data: `"${id}"`, counted: true })
const ids = (items: readonly Taken[]) => items.map((taken) => taken.id)

/** Keeps the event loop from turning for `ms`, as CPU-bound work between gets does. */
function computeFor(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {}
}

/** A queue in memory behind the seam, recording every call the fetcher makes. */
class MemoryQueue {
  readonly items: Taken[] = []
  shutdown: ShutdownState = ''
  /** The count each take asked for, in order. */
  readonly takes: number[] = []
  readonly handedOut: Taken[] = []
  readonly givenBack: Taken[][] = []
  readonly backgroundErrors: unknown[] = []
  sentDue = 0
  passedWakes = 0
  blocks = 0
  /** While Redis is away, takes wait for it to come back, as commands do offline. */
  private reconnected: Promise<void> | undefined
  private endOutage = () => {}
  /** The next take fails with this. */
  takeFails: Error | undefined
  /** Holds every give-back until released. */
  holdGiveBack: Promise<void> | undefined
  private wake: ((woken: boolean) => void) | undefined

  readonly source: ItemSource = {
    take: async (count) => {
      this.takes.push(count)
      await this.reconnected
      await nextTurn() // a round trip
      const failure = this.takeFails
      this.takeFails = undefined
      if (failure) throw failure
      return { shutdown: this.shutdown, items: this.items.splice(0, count) }
    },
    awaitItems: (timeoutMs) => {
      this.blocks++
      return new Promise<boolean>((resolve) => {
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => end(false), timeoutMs)
        const end = (woken: boolean) => {
          clearTimeout(timer)
          this.wake = undefined
          resolve(woken)
        }
        this.wake = end
      })
    },
    passWake: async () => {
      this.passedWakes++
    },
    giveBack: async (items) => {
      this.givenBack.push(items)
      await this.holdGiveBack
      this.items.unshift(...items)
    },
    handOut: (taken) => this.handedOut.push(taken),
    reachable: () => this.reconnected === undefined,
    sendDue: () => this.sentDue++,
    onBackgroundError: (error) => this.backgroundErrors.push(error),
  }

  get blocking(): boolean {
    return this.wake !== undefined
  }

  goOffline(): void {
    this.reconnected = new Promise<void>((resolve) => {
      this.endOutage = () => {
        this.reconnected = undefined
        resolve()
      }
    })
  }

  reconnect(): void {
    this.endOutage()
  }

  put(...names: string[]): void {
    this.items.push(...names.map(item))
    this.wake?.(true)
  }

  /** Ends a blocking wait without items, as close() does to the handle's blocking client. */
  interrupt = async (): Promise<void> => this.wake?.(false)
}

function fetcherFor(t: TestContext, prefetch = 1): { queue: MemoryQueue; fetcher: ItemFetcher } {
  const since = watchLeaks()
  const queue = new MemoryQueue()
  const fetcher = new ItemFetcher(queue.source, prefetch, "queue 'jobs'")
  t.after(async () => {
    await fetcher.close(new Error('test over'), queue.interrupt)
    checkLeaksAtEnd(t, since)
  })
  return { queue, fetcher }
}

const failsWith = (code: string) => (error: unknown) => isRedprocError(error, code as 'EMPTY')

describe('ItemFetcher through its seams', () => {
  it('serves concurrent gets in FIFO order, with one take for all of them', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    queue.put('a', 'b', 'c')
    const got = await Promise.all([1, 2, 3].map(() => fetcher.get(undefined, undefined)))
    assert.deepEqual(ids(got), ['a', 'b', 'c'])
    assert.deepEqual(ids(queue.handedOut), ['a', 'b', 'c'])
    assert.deepEqual(queue.takes, [3])
  })

  it('blocks while the queue is empty and wakes on a put', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    const got = fetcher.get(undefined, undefined)
    await until(() => queue.blocking, 'the fetcher blocks')
    queue.put('a')
    assert.equal((await got).id, 'a')
    assert.equal(queue.passedWakes, 0)
  })

  // Each setup below reaches its items ahead through takes, not through gets
  // served from a buffer of more than one: a pause of the process there (a
  // busy machine) could look like a slow consumer and give items back.
  it('grows its takes while gets come fast, never past prefetch', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 2)
    queue.put('0', '1', '2', '3', '4', '5')
    const got: Taken[] = []
    for (let i = 0; i < 6; i++) got.push(await fetcher.get(undefined, undefined))
    assert.deepEqual(ids(got), ['0', '1', '2', '3', '4', '5'])
    assert.deepEqual(queue.takes, [1, 2, 2, 2])
  })

  it('takes one at a time with prefetch 1', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 1)
    queue.put('a', 'b', 'c')
    for (let i = 0; i < 3; i++) await fetcher.get(undefined, undefined)
    assert.deepEqual(queue.takes, [1, 1, 1])
    assert.equal(fetcher.buffered, 0)
  })

  it('close fails waiting gets, ends the blocking wait, and returns the items fetched ahead', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 4)
    queue.put('a', 'b', 'c')
    await fetcher.get(undefined, undefined) // takes 1
    await fetcher.get(undefined, undefined) // takes 2, keeps c ahead
    assert.equal(fetcher.buffered, 1)
    const second = new ItemFetcher(queue.source, 4, "queue 'jobs'")
    const waiting = second.get(undefined, undefined)
    await until(() => queue.blocking, 'the fetcher blocks')

    const reason = new Error('closed')
    const [back, other] = await Promise.all([
      fetcher.close(reason, async () => {}),
      second.close(reason, queue.interrupt),
    ])
    assert.deepEqual(ids(back), ['c'])
    assert.deepEqual(other, [])
    await assert.rejects(waiting, (error) => error === reason)
    await assert.rejects(fetcher.get(undefined, undefined), (error) => error === reason)
    await assert.rejects(fetcher.getNowait(), (error) => error === reason)
  })

  it('gives back items fetched ahead when no get comes, and takes them again first', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 4)
    queue.put('a', 'b', 'c', 'd')
    await fetcher.get(undefined, undefined) // takes 1
    await fetcher.get(undefined, undefined) // takes 2, keeps c ahead
    let release = () => {}
    queue.holdGiveBack = new Promise<void>((resolve) => {
      release = resolve
    })
    await until(() => queue.givenBack.length === 1, 'the idle item goes back')
    assert.deepEqual(ids(queue.givenBack[0] as Taken[]), ['c'])
    assert.equal(fetcher.buffered, 0)

    // A take waits for the give-back, so the item given back comes before d.
    const next = fetcher.get(undefined, undefined)
    await sleep(20)
    assert.deepEqual(queue.takes, [1, 2])
    release()
    assert.equal((await next).id, 'c')
    assert.equal((await fetcher.get(undefined, undefined)).id, 'd')
  })

  it('a get with a timeout looks at least once, and fails with EMPTY no sooner than its timeout', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    const started = performance.now()
    await assert.rejects(fetcher.get(30, undefined), failsWith('EMPTY'))
    assert.ok(performance.now() - started >= 30)
    assert.ok(queue.takes.length >= 1)
    await assert.rejects(fetcher.get(0, undefined), failsWith('EMPTY'))
    // Like Python's get(timeout=0), it looks at the queue before it gives up.
    queue.put('a')
    assert.equal((await fetcher.get(0, undefined)).id, 'a')
  })

  it('a get without a timeout waits as long as it takes', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    const got = fetcher.get(undefined, undefined)
    await sleep(50)
    assert.equal(queue.blocking, true)
    queue.put('late')
    assert.equal((await got).id, 'late')
  })

  it('a get that runs out while Redis is unreachable fails with CONNECTION, not EMPTY', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    queue.goOffline()
    // Should the get wait for the take instead, Redis comes back empty and it fails with EMPTY.
    const outage = setTimeout(() => queue.reconnect(), 1000)
    await assert.rejects(fetcher.get(10, undefined), failsWith('CONNECTION'))
    clearTimeout(outage)
    queue.reconnect()
  })

  it('getNowait looks once: EMPTY on an empty queue, SHUTDOWN on a drained one', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    await assert.rejects(fetcher.getNowait(), failsWith('EMPTY'))
    queue.put('a')
    assert.equal((await fetcher.getNowait()).id, 'a')
    queue.shutdown = 'graceful'
    await assert.rejects(fetcher.getNowait(), failsWith('SHUTDOWN'))
    assert.equal(queue.blocks, 0)
  })

  it('an aborted get fails with the reason and leaves the item for the next getter', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    const before = new AbortController()
    before.abort(new Error('never mind'))
    await assert.rejects(fetcher.get(undefined, before.signal), /never mind/)
    assert.deepEqual(queue.takes, [])

    const controller = new AbortController()
    const got = fetcher.get(undefined, controller.signal)
    await until(() => queue.blocking, 'the fetcher blocks')
    controller.abort(new Error('gave up'))
    await assert.rejects(got, /gave up/)
    // The wake-up of this put has no getter here: it is passed on, the item stays.
    queue.put('a')
    await until(() => queue.passedWakes === 1, 'the wake-up is passed on')
    assert.deepEqual(ids(queue.items), ['a'])
    assert.equal((await fetcher.get(undefined, undefined)).id, 'a')
  })

  it('a failing take fails every waiting get, and the next get takes again', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    queue.takeFails = new Error('take failed')
    const waiting = [1, 2].map(() => fetcher.get(undefined, undefined))
    for (const get of waiting) await assert.rejects(get, /take failed/)
    queue.put('a')
    assert.equal((await fetcher.get(undefined, undefined)).id, 'a')
  })

  it('an immediate shutdown gives back the items fetched ahead and fails gets', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 4)
    queue.put('a', 'b', 'c')
    await fetcher.get(undefined, undefined)
    await fetcher.get(undefined, undefined)
    assert.equal(fetcher.buffered, 1)
    fetcher.learn('immediate')
    assert.deepEqual(ids(queue.givenBack.flat()), ['c'])
    await assert.rejects(fetcher.get(undefined, undefined), failsWith('SHUTDOWN'))
  })

  it('a slow consumer keeps ahead only what it finishes in 50 ms; the rest goes back', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 8)
    queue.put('0', '1', '2', '3', '4', '5', '6', '7')
    for (let i = 0; i < 4; i++) await fetcher.get(undefined, undefined) // takes 1, 2, 4
    assert.deepEqual(queue.takes, [1, 2, 4])
    assert.equal(fetcher.buffered, 3)
    const sent = queue.sentDue

    computeFor(60) // one item's work: more than 50 ms, so only the next item stays
    const got = fetcher.get(undefined, undefined)
    assert.equal(queue.sentDue, sent + 1, 'acks and renewals go out before the loop turns')
    assert.deepEqual(ids(queue.givenBack.flat()), ['5', '6'])
    assert.equal((await got).id, '4')
    assert.equal(fetcher.buffered, 0)
    assert.deepEqual(ids(queue.items), ['5', '6', '7'])
  })

  it('a consumer whose work fits in 50 ms keeps its items ahead, and still lets the loop turn', async (t) => {
    const { queue, fetcher } = fetcherFor(t, 8)
    queue.put('0', '1', '2', '3', '4', '5')
    for (let i = 0; i < 4; i++) await fetcher.get(undefined, undefined) // takes 1, 2, 4 (3 found)
    assert.deepEqual(queue.takes, [1, 2, 4])
    assert.equal(fetcher.buffered, 2)
    const sent = queue.sentDue

    computeFor(11) // one item's work: two such fit in 50 ms, so both items ahead stay
    const got = fetcher.get(undefined, undefined)
    assert.equal(queue.sentDue, sent + 1, 'acks and renewals go out before the loop turns')
    assert.equal((await got).id, '4')
    assert.deepEqual(queue.givenBack, [])
    assert.equal(fetcher.buffered, 1)
  })

  it('breathe sends what is due and turns the loop once it has not turned for 10 ms', async (t) => {
    const { queue, fetcher } = fetcherFor(t)
    assert.equal(fetcher.breathe(), undefined)
    computeFor(15)
    const turn = fetcher.breathe()
    assert.ok(turn)
    assert.equal(queue.sentDue, 1)
    await turn
    assert.equal(fetcher.breathe(), undefined)
    assert.equal(queue.sentDue, 1)
  })
})
