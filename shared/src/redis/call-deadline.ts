import { AsyncLocalStorage } from 'node:async_hooks'
import { Cluster, type Command, type Redis } from 'ioredis'
import { ConnectionLost } from '../errors.js'
import { MAX_TIMER_MS } from '../timers.js'
import type { RedisClient } from './redis-client.js'

/** A connection a command goes through: the client, or a node of a cluster. */
type Connection = Redis | Cluster

/** One call with a timeout of its own, and the commands it sent that are unanswered. */
interface Scope {
  readonly timeoutMs: number
  /** `performance.now()` time of the deadline. */
  readonly end: number
  /** False once the call returned: work it left running is not bound by its deadline. */
  active: boolean
  /** Each unanswered command, with the connection it last went through. */
  readonly pending: Map<Command, Connection>
}

/** Where ioredis writes a command: the socket, or a pipeline's. */
type WriteableStream = Parameters<Redis['sendCommand']>[1]

const scopes = new AsyncLocalStorage<Scope>()

/** Commands given up at a deadline: a replay after a reconnect must not send them. */
const withdrawn = new WeakSet<Command>()

/**
 * Runs `body`, a call with a timeout of its own, so that its commands share
 * its deadline. While Redis is unreachable, ioredis keeps commands and
 * retries them for its reconnection budget (about 10 s): a `get({ timeout:
 * 500 })` would wait that long, and a `put` its caller gave up on could be
 * written once Redis is back. So a command of the call that is still
 * unanswered at the deadline while its connection is down is withdrawn: it
 * fails with `CONNECTION` and is never sent. Commands on a live connection
 * are left alone: the call's own timeout ends those waits.
 */
export function withinDeadline<T>(
  timeoutMs: number | undefined,
  body: () => Promise<T>,
): Promise<T> {
  // Most calls have no timeout: they pay for no scope, nor for an async frame.
  return timeoutMs === undefined ? body() : withinScope(timeoutMs, body)
}

async function withinScope<T>(timeoutMs: number, body: () => Promise<T>): Promise<T> {
  const scope: Scope = {
    timeoutMs,
    end: performance.now() + timeoutMs,
    active: true,
    pending: new Map(),
  }
  // A deadline past Node's longest timer is not one Redis's downtime reaches.
  const timer =
    timeoutMs <= MAX_TIMER_MS ? setTimeout(() => withdrawStalled(scope), timeoutMs) : undefined
  timer?.unref()
  try {
    return await scopes.run(scope, body)
  } finally {
    scope.active = false
    clearTimeout(timer)
  }
}

/**
 * Runs `fn` outside any call's deadline: for work that serves many calls (a
 * loop that takes items for every waiting `get`), which one caller's
 * deadline must not cut short, and for opening connections, whose sockets
 * outlive the call that opened them.
 */
export function outsideDeadlines<T>(fn: () => T): T {
  return scopes.exit(fn)
}

/** The deadline of the current call: its timeout and what is left of it (0 once past). */
export function callDeadline(): { timeoutMs: number; remainingMs: number } | undefined {
  const scope = scopes.getStore()
  if (!scope?.active) return undefined
  return { timeoutMs: scope.timeoutMs, remainingMs: Math.max(0, scope.end - performance.now()) }
}

/** The error of a withdrawn command, and of a wait that ran out while Redis was unreachable. */
export function unreachableWithin(timeoutMs: number, cause?: unknown): ConnectionLost {
  return new ConnectionLost(
    `Redis is unreachable: no answer within the call's timeout of ${Math.round(timeoutMs)} ms`,
    { cause },
  )
}

/** Connections whose latest attempt failed or was lost, until they are ready again. */
const down = new WeakSet<Connection>()

/**
 * Whether `client` cannot reach Redis now: its connection was lost or
 * refused and is not back. A first connection still being made is not, nor
 * one that never tried.
 */
export function isUnreachable(client: RedisClient): boolean {
  return client.status !== 'ready' && down.has(client)
}

/**
 * Makes every command sent through `client` (and each node of a cluster)
 * honour the deadline of the call that sent it; see `withinDeadline`.
 */
export function withdrawAtDeadlines(client: RedisClient): void {
  if (client instanceof Cluster) client.on('+node', (node: Redis) => watch(node))
  watch(client)
}

function watch(connection: Connection): void {
  connection.on('close', () => down.add(connection))
  connection.on('ready', () => down.delete(connection))
  // Every command passes here, the offline queue's again when it is replayed.
  const send = connection.sendCommand
  connection.sendCommand = function (
    this: Connection,
    command: Command,
    stream?: WriteableStream,
    node?: unknown,
  ) {
    if (withdrawn.has(command)) return command.promise
    const scope = scopes.getStore()
    if (scope?.active) {
      if (!scope.pending.has(command)) {
        const settled = () => scope.pending.delete(command)
        command.promise.then(settled, settled)
      }
      scope.pending.set(command, this)
      if (performance.now() >= scope.end && isUnreachable(this)) {
        withdraw(scope, command)
        return command.promise
      }
    }
    return (send as (c: Command, s?: WriteableStream, n?: unknown) => unknown).call(
      this,
      command,
      stream,
      node,
    )
  } as typeof send
}

/** How often a call past its deadline looks again at a connection still being made. */
const RECHECK_MS = 20

function withdrawStalled(scope: Scope): void {
  if (!scope.active) return
  // Timers may fire a little early; nothing is withdrawn before the deadline.
  const early = scope.end - performance.now()
  if (early > 0) {
    setTimeout(() => withdrawStalled(scope), Math.ceil(early)).unref()
    return
  }
  let connecting = false
  for (const [command, connection] of scope.pending) {
    if (isUnreachable(connection)) withdraw(scope, command)
    else if (connection.status !== 'ready') connecting = true
  }
  // A first connection either comes up or fails soon: look again then.
  if (connecting) setTimeout(() => withdrawStalled(scope), RECHECK_MS).unref()
}

function withdraw(scope: Scope, command: Command): void {
  withdrawn.add(command)
  scope.pending.delete(command)
  command.reject(unreachableWithin(scope.timeoutMs))
}
