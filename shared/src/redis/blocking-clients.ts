import { blockingSeconds } from '../arguments.js'
import { ConnectionLost } from '../errors.js'
import { abortedError, Deadline, isAbortOf, whenAborted } from '../waits.js'
import { closeClient, type RedisClient } from './client.js'
import { receiptKey } from './keys.js'
import type { Scope } from './scope.js'

/** What a wait on a connection that died gives. */
const DROPPED: unique symbol = Symbol('redproc.dropped')

/** Clients kept open between waits; more are opened for a burst and closed after it. */
const IDLE_LIMIT = 4

/**
 * The clients one context blocks on (BLMOVE), lent to one wait at a time: a
 * blocked client can do nothing else, so concurrent waits need a client each,
 * but a process should not keep a connection for every wait it ever made.
 */
class BlockingClients {
  private readonly idle: RedisClient[] = []
  private readonly open = new Set<RedisClient>()
  private closed = false

  constructor(private readonly mp: Scope) {}

  /**
   * Waits for a wake-up pushed to `key`: the popped item, or null when
   * `timeoutMs` ran out. The item moves to a receipt list (BLMOVE) rather
   * than vanishing (BLPOP): if the connection dies before the reply arrives,
   * the receipt still holds it, and the wait takes it from there instead of
   * blocking on for a wake-up that already came.
   *
   * When `signal` aborts, the connection is cut and the wait fails with
   * `ABORTED` (as `what`), taking nothing: a wake-up that came meanwhile is
   * left on the list or in its receipt, for the waiter's way out to find.
   */
  async popWake(
    key: string,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
    what = 'wait',
  ): Promise<string | null> {
    const receipt = receiptKey(key)
    const deadline = new Deadline(timeoutMs)
    for (;;) {
      if (signal?.aborted) throw abortedError(signal, what)
      const left = deadline.remaining()
      const outcome = await this.moveWake(key, receipt, left, signal)
      if (signal?.aborted) throw abortedError(signal, what)
      if (outcome === DROPPED) {
        const late = await this.mp.redis.lpop(receipt)
        if (late !== null) return late
      } else if (outcome !== null) {
        return outcome
      }
      // A wait longer than one block (see blockingSeconds) blocks again.
      if (left === 0 || deadline.expired) return null
    }
  }

  /**
   * A fair-queue waiter's turn: waits up to `block` ms for a wake-up on
   * `key`. When `signal` aborts it returns rather than fails, for the
   * waiter's last try to leave the queue (which also reads a wake-up the
   * cut wait may have left in its receipt).
   */
  async awaitTurn(key: string, block: number, signal: AbortSignal | undefined): Promise<void> {
    await this.popWake(key, block, signal).catch((error: unknown) => {
      if (!isAbortOf(error, signal)) throw error
    })
  }

  close(): void {
    this.closed = true
    this.idle.length = 0
    const clients = [...this.open]
    this.open.clear()
    // QUIT would queue behind a BLMOVE still blocked and never be answered.
    for (const client of clients) client.disconnect()
  }

  private async borrow(): Promise<RedisClient> {
    if (this.closed || this.mp.closed) throw new ConnectionLost('the context is closed')
    const reused = this.idle.pop()
    if (reused) return reused
    const client = await this.mp.openBlockingClient({ closedBy: 'caller' })
    if (this.closed) {
      await closeClient(client)
      throw new ConnectionLost('the context is closed')
    }
    this.open.add(client)
    return client
  }

  /**
   * One BLMOVE from `key` to `receipt`; DROPPED when the connection died
   * first, or was cut because `signal` aborted.
   */
  private async moveWake(
    key: string,
    receipt: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string | null | typeof DROPPED> {
    const client = await this.borrow()
    let healthy = false
    let onClose: (() => void) | undefined
    let closed = false
    // Cutting the connection is the one way to end a BLMOVE at once.
    const cut = () => {
      closed = true
      client.disconnect()
    }
    const stopListening = whenAborted(signal, cut)
    if (signal?.aborted) cut()
    const dropped = new Promise<typeof DROPPED>((resolve) => {
      onClose = () => {
        closed = true
        resolve(DROPPED)
        // No reconnect, so no resent BLMOVE: the receipt tells what it took.
        client.disconnect()
      }
      client.once('close', onClose)
    })
    try {
      const moved = client
        .blmove(key, receipt, 'LEFT', 'RIGHT', blockingSeconds(timeoutMs))
        // Failed by that disconnect: the receipt still tells.
        .catch((error: unknown) => (closed ? DROPPED : Promise.reject(error)))
      const item = await Promise.race([moved, dropped])
      if (item === DROPPED) return DROPPED
      healthy = !closed // an abort may cut the connection after the reply came
      // Kept when aborted: the waiter's way out reads the wake-up from the receipt.
      if (item !== null && !signal?.aborted) client.del(receipt).catch(() => {})
      return item
    } finally {
      stopListening()
      client.off('close', onClose as () => void)
      this.giveBack(client, healthy)
    }
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

const CLIENTS: unique symbol = Symbol('redproc.blockingClients')

/** The blocking clients of `mp`, closed with it. */
export function blockingClients(mp: Scope): BlockingClients {
  return mp.shared(CLIENTS, () => {
    const created = new BlockingClients(mp)
    mp.onClose(() => created.close())
    return created
  })
}
