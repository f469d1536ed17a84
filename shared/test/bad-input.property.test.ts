// Every public method, driven with generated junk: the only outcomes are
// success or a RedprocError, never a raw TypeError or RangeError, never a
// hang, and a refusal leaves Redis as it was.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { type Context, type ErrorCode, isRedprocError, OBJECT_KINDS } from '../src/index.js'
import { openContext } from './support/redis.js'
import { snapshotNamespace } from './support/snapshot.js'

/** Calls per method: enough to reach every kind of junk, within a minute for the whole file. */
const RUNS = 60
/**
 * Every call here settles at once: objects are primed so that a valid wait
 * ends at once. The margin is for a machine busy with other tests.
 */
const SETTLE_MS = 10_000

/** Outcomes that may leave a trace by design: a wait that ran out, a broken barrier, a partial put. */
const NOT_REFUSALS = new Set<ErrorCode>(['TIMEOUT', 'BROKEN_BARRIER', 'FULL', 'EMPTY', 'SHUTDOWN'])

const awkwardNumbers = fc.constantFrom(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0,
  0,
  1.5,
  2 ** 31,
  2 ** 32,
  3e9,
  1e300,
  -1e300,
  Number.MAX_SAFE_INTEGER + 2,
)

/** Anything a JavaScript caller or a JSON body might pass. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, false, '', 'ab', [], {}),
  awkwardNumbers,
  fc.integer({ min: -5, max: 5 }),
  fc.string({ maxLength: 8 }),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
  fc.func(fc.anything({ maxDepth: 1 })),
)

/** Options objects: known keys with junk values, unknown keys, or no object at all. */
const OPTION_KEYS = [
  'timeout',
  'block',
  'blocking',
  'signal',
  'ttl',
  'maxsize',
  'lease',
  'prefetch',
  'duplex',
  'immediate',
  'chunksize',
  'callback',
  'errorCallback',
  'backend',
  'tasks',
  'queue',
  'processes',
  'force',
  'limit',
  'key',
  'reverse',
  'bogus',
]
const junkOptions: fc.Arbitrary<unknown> = fc.oneof(
  junk,
  fc.dictionary(fc.constantFrom(...OPTION_KEYS), fc.oneof(junk, awkwardNumbers), {
    maxKeys: 2,
  }),
)

interface Target {
  name: string
  args: fc.Arbitrary<unknown[]>
  run(args: unknown[]): unknown
  /** Makes a valid call end at once (an item to get, a message to receive …). */
  prepare?(): Promise<unknown>
  /** Gives back what a successful call took (a lock, a permit, an item). */
  cleanup?(): Promise<unknown>
}

const arg = (...items: fc.Arbitrary<unknown>[]) => fc.tuple(...items)
const none = fc.constant([] as unknown[])

/** Runs `target` with `args`; fails unless it succeeds or refuses as the contract says. */
async function check(mp: Context, target: Target, args: unknown[]): Promise<void> {
  await target.prepare?.()
  const snapshot = await snapshotNamespace(mp)
  const shown = `${target.name}(${args.map((a) => inspect(a, { depth: 2 })).join(', ')})`
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), SETTLE_MS)
  })
  try {
    const call = (async () => {
      const result = await target.run(args)
      return result
    })()
    const settled = await Promise.race([call.then(() => 'ok' as const), hang])
    assert.notEqual(settled, 'hang', `${shown} did not settle within ${SETTLE_MS} ms`)
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error
    assert.ok(isRedprocError(error), `${shown} threw ${inspect(error)}`)
    if (!NOT_REFUSALS.has(error.code)) {
      assert.deepEqual(
        await snapshotNamespace(mp),
        snapshot,
        `${shown} was refused (${error.code}) but changed Redis`,
      )
    }
  } finally {
    clearTimeout(timer)
    await target.cleanup?.()
  }
}

async function drive(mp: Context, targets: Target[]): Promise<void> {
  for (const target of targets) {
    await fc.assert(
      fc.asyncProperty(target.args, (args) => check(mp, target, args)),
      { numRuns: RUNS, includeErrorInReport: true },
    )
  }
}

describe('every public method, driven with junk', () => {
  it('the context: factories and the names they take', async (t) => {
    const mp = await openContext(t)
    const made = (
      name: string,
      make: (args: unknown[]) => unknown,
      ...args: fc.Arbitrary<unknown>[]
    ): Target => ({
      name,
      args: fc.tuple(...args),
      run: make,
    })
    await drive(mp, [
      made('value', ([n, v]) => mp.value(n as string, v as never), junk, junk),
      made('array', ([n, v]) => mp.array(n as string, v as never), junk, junk),
      made('namespace', ([n]) => mp.namespace(n as string), junk),
      made('dict', ([n]) => mp.dict(n as string), junk),
      made('list', ([n]) => mp.list(n as string), junk),
      made('queue', ([n, o]) => mp.queue(n as string, o as never), junk, junkOptions),
      made(
        'joinableQueue',
        ([n, o]) => mp.joinableQueue(n as string, o as never),
        junk,
        junkOptions,
      ),
      made('pipe', ([n, o]) => mp.pipe(n as string, o as never), junk, junkOptions),
      made('lock', ([n, o]) => mp.lock(n as string, o as never), junk, junkOptions),
      made('rlock', ([n, o]) => mp.rlock(n as string, o as never), junk, junkOptions),
      made(
        'semaphore',
        ([n, v, o]) => mp.semaphore(n as string, v as number, o as never),
        junk,
        junk,
        junkOptions,
      ),
      made(
        'boundedSemaphore',
        ([n, v, o]) => mp.boundedSemaphore(n as string, v as number, o as never),
        junk,
        junk,
        junkOptions,
      ),
      made('condition', ([n, l]) => mp.condition(n as string, l as never), junk, junk),
      made('event', ([n]) => mp.event(n as string), junk),
      made(
        'barrier',
        ([n, p, o]) => mp.barrier(n as string, p as number, o as never),
        junk,
        junk,
        junkOptions,
      ),
      // A pool that is made is terminated at once: no threads left behind.
      made('pool', async ([o]) => mp.pool(o as never).terminate(), junkOptions),
    ])
  })

  it('values, arrays, namespaces, dicts and lists', async (t) => {
    const mp = await openContext(t)
    const value = mp.value('v', 0)
    const array = mp.array('a', 3)
    const ns = mp.namespace('n')
    const dict = mp.dict('d')
    const list = mp.list('l')
    await list.extend([1, 2, 3])
    // Value and array are created by their first use: that write is not a refusal's.
    await Promise.all([value.get(), array.length()])
    await drive(mp, [
      { name: 'value.set', args: arg(junk), run: ([v]) => value.set(v as never) },
      { name: 'value.add', args: arg(junk), run: ([v]) => value.add(v as number) },
      { name: 'value.get', args: none, run: () => value.get() },
      { name: 'array.get', args: arg(junk), run: ([i]) => array.get(i as number) },
      {
        name: 'array.set',
        args: arg(junk, junk),
        run: ([i, v]) => array.set(i as number, v as never),
      },
      { name: 'namespace.get', args: arg(junk, junk), run: ([k, d]) => ns.get(k as string, d) },
      {
        name: 'namespace.set',
        args: arg(junk, junk),
        run: ([k, v]) => ns.set(k as string, v as never),
      },
      { name: 'namespace.delete', args: arg(junk), run: ([k]) => ns.delete(k as string) },
      { name: 'dict.get', args: arg(junk, junk), run: ([k, d]) => dict.get(k as string, d) },
      {
        name: 'dict.set',
        args: arg(junk, junk),
        run: ([k, v]) => dict.set(k as string, v as never),
      },
      { name: 'dict.has', args: arg(junk), run: ([k]) => dict.has(k as string) },
      { name: 'dict.delete', args: arg(junk), run: ([k]) => dict.delete(k as string) },
      { name: 'dict.update', args: arg(junk), run: ([o]) => dict.update(o as never) },
      { name: 'dict.pop', args: arg(junk), run: ([k]) => dict.pop(k as string) },
      {
        name: 'dict.pop with default',
        args: arg(junk, junk),
        run: ([k, d]) => dict.pop(k as string, d),
      },
      {
        name: 'dict.setdefault',
        args: arg(junk, junk),
        run: ([k, d]) => dict.setdefault(k as string, d as never),
      },
      { name: 'dict.popitem', args: none, run: () => dict.popitem() },
      {
        name: 'dict.incr',
        args: arg(junk, junk),
        run: ([k, n]) => dict.incr(k as string, n as number),
      },
      { name: 'list.append', args: arg(junk), run: ([v]) => list.append(v as never) },
      { name: 'list.extend', args: arg(junk), run: ([v]) => list.extend(v as never) },
      { name: 'list.get', args: arg(junk), run: ([i]) => list.get(i as number) },
      {
        name: 'list.set',
        args: arg(junk, junk),
        run: ([i, v]) => list.set(i as number, v as never),
      },
      { name: 'list.pop', args: arg(junk), run: ([i]) => list.pop(i as number) },
      {
        name: 'list.insert',
        args: arg(junk, junk),
        run: ([i, v]) => list.insert(i as number, v as never),
      },
      { name: 'list.remove', args: arg(junk), run: ([v]) => list.remove(v as never) },
      { name: 'list.index', args: arg(junk), run: ([v]) => list.index(v as never) },
      { name: 'list.count', args: arg(junk), run: ([v]) => list.count(v as never) },
      {
        name: 'list.slice',
        args: arg(junk, junk),
        run: ([a, b]) => list.slice(a as number, b as number),
      },
      { name: 'list.sort', args: arg(junkOptions), run: ([o]) => list.sort(o as never) },
      { name: 'list.reverse', args: none, run: () => list.reverse() },
    ])
  })

  it('queues', async (t) => {
    const mp = await openContext(t)
    const queue = mp.queue('q')
    const doomed = mp.queue('shut')
    const primed = () => queue.put('item')
    await drive(mp, [
      {
        name: 'queue.put',
        args: arg(junk, junkOptions),
        run: ([v, o]) => queue.put(v as never, o as never),
      },
      { name: 'queue.putNowait', args: arg(junk), run: ([v]) => queue.putNowait(v as never) },
      {
        name: 'queue.putMany',
        args: arg(junk, junkOptions),
        run: ([v, o]) => queue.putMany(v as never, o as never),
      },
      {
        name: 'queue.get',
        args: arg(junkOptions),
        prepare: primed,
        run: ([o]) => queue.get(o as never),
      },
      { name: 'queue.shutdown', args: arg(junkOptions), run: ([o]) => doomed.shutdown(o as never) },
    ])
  })

  it('joinable queues', async (t) => {
    const mp = await openContext(t)
    const putOnly = mp.joinableQueue('puts')
    // One item at a time, so that no item fetched ahead goes back while a snapshot is compared.
    const consumed = mp.joinableQueue('gets', { prefetch: 1 })
    const joined = mp.joinableQueue('joins')
    const doomed = mp.joinableQueue('shut')
    let got = 0
    const acknowledge = async () => {
      for (; got > 0; got--) consumed.taskDone()
      await consumed.unfinishedTasks() // the acknowledgements are written
    }
    const get = async (take: () => Promise<unknown>) => {
      await take()
      got++
    }
    await drive(mp, [
      {
        name: 'joinableQueue.put',
        args: arg(junk, junkOptions),
        run: ([v, o]) => putOnly.put(v as never, o as never),
      },
      {
        name: 'joinableQueue.putNowait',
        args: arg(junk),
        run: ([v]) => putOnly.putNowait(v as never),
      },
      {
        name: 'joinableQueue.putMany',
        args: arg(junk, junkOptions),
        run: ([v, o]) => putOnly.putMany(v as never, o as never),
      },
      {
        name: 'joinableQueue.get',
        args: arg(junkOptions),
        prepare: () => consumed.put('item'),
        run: ([o]) => get(() => consumed.get(o as never)),
        cleanup: acknowledge,
      },
      { name: 'joinableQueue.join', args: arg(junkOptions), run: ([o]) => joined.join(o as never) },
      {
        name: 'joinableQueue.shutdown',
        args: arg(junkOptions),
        run: ([o]) => doomed.shutdown(o as never),
      },
    ])
    await Promise.all([putOnly, consumed, joined, doomed].map((queue) => queue.close()))
  })

  it('deleting: drop, purge, delete, leases', async (t) => {
    const mp = await openContext(t)
    const kind = fc.oneof(junk, fc.constantFrom(...OBJECT_KINDS))
    const name = fc.oneof(junk, fc.constantFrom('d', 'q'))
    const held = mp.joinableQueue('held', { prefetch: 1 })
    await held.putMany([1, 2])
    await held.get()
    const refill = async () => {
      await mp.dict('d').set('a', 1)
      await mp.joinableQueue('q').putJobs([{ data: 1 }])
    }
    await drive(mp, [
      {
        name: 'drop',
        args: arg(kind, name, junkOptions),
        prepare: refill,
        run: ([k, n, o]) => mp.drop(k as never, n as string, o as never),
      },
      {
        name: 'joinableQueue.delete',
        args: arg(junkOptions),
        prepare: refill,
        run: ([o]) => mp.joinableQueue('q').delete(o as never),
      },
      {
        name: 'queue.delete',
        args: none,
        prepare: () => mp.queue('q').put(1),
        run: () => mp.queue('q').delete(),
      },
      {
        name: 'joinableQueue.leases',
        args: arg(junkOptions),
        run: ([o]) => held.leases(o as never),
      },
      {
        name: 'purge',
        args: arg(junkOptions),
        prepare: refill,
        run: ([o]) => mp.purge(o as never),
      },
    ])
    await held.close()
  })

  it('pipes', async (t) => {
    const mp = await openContext(t)
    const [a, b] = mp.pipe('p')
    const primed = () => b.send('message')
    await drive(mp, [
      { name: 'send', args: arg(junk), run: ([v]) => a.send(v as never) },
      {
        name: 'sendBytes',
        args: arg(junk, junk, junk),
        run: ([v, o, n]) => a.sendBytes(v as never, o as number, n as number),
      },
      { name: 'recv', args: arg(junkOptions), prepare: primed, run: ([o]) => a.recv(o as never) },
      {
        name: 'recvBytes',
        args: arg(junkOptions),
        prepare: primed,
        run: ([o]) => a.recvBytes(o as never),
      },
      { name: 'poll', args: arg(junk), prepare: primed, run: ([ms]) => a.poll(ms as number) },
    ])
  })

  it('locks, semaphores, conditions, events, barriers', async (t) => {
    const mp = await openContext(t)
    const lock = mp.lock('l')
    const rlock = mp.rlock('r')
    const semaphore = mp.semaphore('s', 2)
    const bounded = mp.boundedSemaphore('b', 2)
    const condition = mp.condition('c')
    const event = mp.event('e')
    const barrier = mp.barrier('one', 1)
    const doomed = mp.barrier('doomed', 2)
    await event.set()
    const releaseAll = async () => {
      for (const held of [lock, rlock, semaphore, bounded, condition])
        await held[Symbol.asyncDispose]()
    }
    const fn = fc.oneof(
      junk,
      fc.constant(() => 'done'),
    )
    const sync = (
      name: string,
      args: fc.Arbitrary<unknown[]>,
      run: (args: unknown[]) => unknown,
    ): Target => ({
      name,
      args,
      run,
      cleanup: releaseAll,
    })
    await drive(mp, [
      sync('lock.acquire', arg(junkOptions), ([o]) => lock.acquire(o as never)),
      sync('lock.withLock', arg(fn, junkOptions), ([f, o]) =>
        lock.withLock(f as never, o as never),
      ),
      sync('lock.hold', arg(junkOptions), ([o]) => lock.hold(o as never)),
      sync('lock.release', none, () => lock.release()),
      sync('rlock.acquire', arg(junkOptions), ([o]) => rlock.acquire(o as never)),
      sync('semaphore.acquire', arg(junkOptions), ([o]) => semaphore.acquire(o as never)),
      sync('semaphore.release', arg(junk), ([n]) => semaphore.release(n as number)),
      sync('semaphore.withPermit', arg(fn, junkOptions), ([f, o]) =>
        semaphore.withPermit(f as never, o as never),
      ),
      sync('boundedSemaphore.release', arg(junk), ([n]) => bounded.release(n as number)),
      sync('condition.acquire', arg(junkOptions), ([o]) => condition.acquire(o as never)),
      // Without the lock, a valid wait fails with NOT_OWNER at once: it cannot hang.
      sync('condition.wait', arg(junkOptions), ([o]) => condition.wait(o as never)),
      sync('condition.waitFor', arg(fn, junkOptions), ([f, o]) =>
        condition.waitFor(f as never, o as never),
      ),
      sync('condition.notify', arg(junk), ([n]) => condition.notify(n as number)),
      sync('event.wait', arg(junkOptions), ([o]) => event.wait(o as never)),
      sync('barrier.wait', arg(junkOptions), ([o]) => barrier.wait(o as never)),
      {
        name: 'barrier.wait, broken',
        args: arg(junkOptions),
        prepare: () => doomed.abort(),
        run: ([o]) => doomed.wait(o as never),
      },
    ])
  })

  it('pools and their results', async (t) => {
    const mp = await openContext(t)
    const pool = mp.pool({
      backend: 'local',
      tasks: new URL('./fixtures/tasks.ts', import.meta.url),
      processes: 1,
    })
    t.after(() => pool.terminate())
    // Its thread loads the tasks module before the first call is timed.
    await pool.map('nothing', [1])
    const task = fc.oneof(fc.constantFrom('double', 'add', 'fail', 'nothing', 'missing'), junk)
    const items = fc.oneof(junk, fc.array(junk, { maxLength: 3 }))
    const collect = async (results: AsyncIterable<unknown>) => {
      for await (const _ of results);
    }
    const result = (made: { get(o?: unknown): Promise<unknown> }, o: unknown) =>
      made.get(o as never)
    await drive(mp, [
      {
        name: 'map',
        args: arg(task, items, junkOptions),
        run: ([f, x, o]) => pool.map(f as string, x as never, o as never),
      },
      {
        name: 'starmap',
        args: arg(task, items, junkOptions),
        run: ([f, x, o]) => pool.starmap(f as string, x as never, o as never),
      },
      {
        name: 'imap',
        args: arg(task, items, junkOptions),
        run: ([f, x, o]) => collect(pool.imap(f as string, x as never, o as never)),
      },
      {
        name: 'imapUnordered',
        args: arg(task, items, junkOptions),
        run: ([f, x, o]) => collect(pool.imapUnordered(f as string, x as never, o as never)),
      },
      {
        name: 'apply',
        args: arg(task, items),
        run: ([f, x]) => pool.apply(f as string, x as never),
      },
      {
        name: 'applyAsync',
        args: arg(task, items, junkOptions, junkOptions),
        run: ([f, x, c, o]) => result(pool.applyAsync(f as string, x as never, c as never), o),
      },
      {
        name: 'mapAsync',
        args: arg(task, items, junkOptions, junkOptions),
        run: ([f, x, c, o]) => result(pool.mapAsync(f as string, x as never, c as never), o),
      },
      {
        name: 'starmapAsync',
        args: arg(task, items, junkOptions, junkOptions),
        run: ([f, x, c, o]) => result(pool.starmapAsync(f as string, x as never, c as never), o),
      },
    ])
  })
})
