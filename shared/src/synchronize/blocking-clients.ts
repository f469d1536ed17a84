import { blockingSeconds } from '../arguments.js'
import type { Context } from '../context.js'
import { ConnectionLost } from '../errors.js'
import { closeClient, openClient, type RedisClient } from '../redis/client.js'
import { Deadline } from './waiting.js'

/** Clients kept open between waits; more are opened for a burst and closed after it. */
const IDLE_LIMIT = 4

/**
 * The clients one context blocks on (BLPOP), lent to one wait at a time: a
 * blocked client can do nothing else, so concurrent waits need a client each,
 * but a process should not keep a connection for every wait it ever made.
 */
class BlockingClients {
  private readonly idle: RedisClient[] = []
  private readonly open = new Set<RedisClient>()
  private closed = false

  constructor(private readonly mp: Context) {}

  /** BLPOP on one key: the popped item, or null when `timeoutMs` ran out. */
  async popWake(key: string, timeoutMs: number | undefined): Promise<string | null> {
    const deadline = new Deadline(timeoutMs)
    const client = await this.borrow()
    let healthy = false
    try {
      let reply: [string, string] | null = null
      // One BLPOP unless the wait is longer than one may block.
      do reply = await client.blpop(key, blockingSeconds(deadline.remaining()))
      while (reply === null && deadline.remaining() !== 0)
      healthy = true
      return reply === null ? null : reply[1]
    } finally {
      this.giveBack(client, healthy)
    }
  }

  close(): void {
    this.closed = true
    this.idle.length = 0
    const clients = [...this.open]
    this.open.clear()
    // QUIT would queue behind a BLPOP still blocked and never be answered.
    for (const client of clients) client.disconnect()
  }

  private async borrow(): Promise<RedisClient> {
    if (this.closed || this.mp.closed) throw new ConnectionLost('the context is closed')
    const reused = this.idle.pop()
    if (reused) return reused
    const { redis, logger, connectTimeoutMs } = this.mp.options
    const client = await openClient(redis, logger, connectTimeoutMs)
    if (this.closed) {
      await closeClient(client)
      throw new ConnectionLost('the context is closed')
    }
    this.open.add(client)
    return client
  }

  private giveBack(client: RedisClient, healthy: boolean): void {
    if (!this.open.has(client)) return
    if (healthy && !this.closed && this.idle.length < IDLE_LIMIT) {
      this.idle.push(client)
      return
    }
    this.open.delete(client)
    void closeClient(client)
  }
}

const byContext = new WeakMap<Context, BlockingClients>()

/** The blocking clients of `mp`, closed with it. */
export function blockingClients(mp: Context): BlockingClients {
  let clients = byContext.get(mp)
  if (!clients) {
    const created = new BlockingClients(mp)
    clients = created
    byContext.set(mp, created)
    mp.onClose(() => created.close())
  }
  return clients
}
