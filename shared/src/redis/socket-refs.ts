import type { Socket } from 'node:net'
import { Cluster, type Command, type Redis } from 'ioredis'
import type { RedisClient } from './redis-client.js'

/** Gives back one `holdOpen`; safe to call twice. */
export type Release = () => void

interface Tracked {
  holds: number
  /** Refs or unrefs every socket of the client to match what is in flight. */
  update(): void
}

/** Where ioredis writes a command: the socket, or a pipeline's. */
type WriteableStream = Parameters<Redis['sendCommand']>[1]

const tracked = new WeakMap<RedisClient, Tracked>()

/**
 * Makes the client's sockets hold the process only while it is busy: while a
 * command (a blocking one included) awaits its reply, or while someone holds
 * it open (`holdOpen`). An idle client no more keeps a script alive than an
 * idle connection does in Python, so a script that forgets `close()` still
 * ends; its context is then closed on `beforeExit` (see `closeAtExit`).
 */
export function refWhileBusy(client: RedisClient): void {
  if (tracked.has(client)) return
  const entry: Tracked = { holds: 0, update: () => {} }
  const held = () => entry.holds > 0
  if (client instanceof Cluster) {
    const nodes = new Map<Redis, () => void>()
    client.on('+node', (node: Redis) => nodes.set(node, trackNode(node, held)))
    client.on('-node', (node: Redis) => nodes.delete(node))
    entry.update = () => {
      for (const update of nodes.values()) update()
    }
  } else {
    entry.update = trackNode(client, held)
  }
  tracked.set(client, entry)
}

/**
 * Keeps the client's sockets referenced until the result is called, though
 * no command is in flight: for a wait that no command carries (a subscriber
 * waiting for a message, a client still connecting).
 */
export function holdOpen(client: RedisClient): Release {
  const entry = tracked.get(client)
  if (!entry) return () => {}
  entry.holds++
  entry.update()
  let released = false
  return () => {
    if (released) return
    released = true
    entry.holds--
    entry.update()
  }
}

/** Counts the commands of one connection in flight; returns its update. */
function trackNode(redis: Redis, held: () => boolean): () => void {
  let inFlight = 0
  const update = () => {
    const stream = redis.stream as Socket | undefined
    if (!stream) return
    if (inFlight > 0 || held()) stream.ref()
    else stream.unref()
  }
  // Only a change between idle and busy refs or unrefs the socket.
  const settled = () => {
    if (--inFlight === 0) update()
  }
  // Every command passes here: single ones, pipelines, scripts, and the
  // offline queue's when it is replayed (counted twice, settled twice).
  const send = redis.sendCommand
  redis.sendCommand = function (this: Redis, command: Command, stream?: WriteableStream) {
    if (++inFlight === 1) update()
    command.promise.then(settled, settled)
    return send.call(this, command, stream)
  }
  // A reconnect brings a new socket, referenced by default.
  redis.on('connect', update)
  return update
}
