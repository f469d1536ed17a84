import { AsyncResource, createHook } from 'node:async_hooks'
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * What a test leaves open: a timer (a `setTimeout` not yet run or cleared, a
 * `setInterval` not cleared, referenced or not) or a socket (a Redis client,
 * of a context or opened by itself). The tests of a file run one after
 * another, so what was opened since the test opened its context is the test's.
 */
const WATCHED = new Set(['Timeout', 'TCPWRAP'])

/**
 * How long a test's cleanup may take to let go of what it opened: sockets
 * close after QUIT, and a close may keep a bounded grace timer of up to 2 s
 * (a cancelled blocking pop, writes pending while Redis is away), which must
 * run out before it counts as left open.
 */
const SETTLE_MS = 3000

/** What each resource open is: a socket, or a timer with its callback and delay; by async id. */
const open = new Map<number, string>()
let watching = false

/**
 * Starts watching what is opened from now on (async ids only grow), and
 * returns where now is. Enabled at the first call, so that child processes
 * that load these helpers pay nothing for it.
 */
export function watchLeaks(): number {
  if (!watching) {
    watching = true
    createHook({
      init(asyncId, type, _trigger, resource) {
        if (WATCHED.has(type)) open.set(asyncId, describe(type, resource))
      },
      destroy(asyncId) {
        open.delete(asyncId)
      },
    }).enable()
  }
  return new AsyncResource('redproc-leak-mark').asyncId()
}

const checked = new WeakSet<TestContext>()

/**
 * Fails the test if, once every cleanup it registered has run, it left open
 * a timer or a socket opened since `since` (a watchLeaks() mark). Called from
 * the test's first cleanup (openContext's), it adds a check that runs after
 * the test's other cleanups.
 */
export function checkLeaksAtEnd(t: TestContext, since: number): void {
  if (checked.has(t)) return
  checked.add(t)
  t.after(async () => {
    // What the check opens itself (its own sleeps) is not the test's.
    const until = new AsyncResource('redproc-leak-mark').asyncId()
    const deadline = performance.now() + SETTLE_MS
    let left = openBetween(since, until)
    while (left.length > 0 && performance.now() < deadline) {
      await sleep(25)
      left = openBetween(since, until)
    }
    if (left.length === 0) return
    throw new Error(`the test left open: ${left.join('; ')}`)
  })
}

function openBetween(since: number, until: number): string[] {
  return [...open].filter(([id]) => id > since && id < until).map(([, what]) => what)
}
function describe(type: string, resource: object): string {
  if (type !== 'Timeout') return 'a socket (a Redis client, or a context)'
  const timer = resource as {
    _idleTimeout?: number
    _repeat?: number | null
    _onTimeout?: { name: string }
  }
  const every = timer._repeat ? 'every' : 'after'
  const name = timer._onTimeout?.name || 'an anonymous function'
  return `a timer (${name}, ${every} ${timer._idleTimeout} ms)`
}
