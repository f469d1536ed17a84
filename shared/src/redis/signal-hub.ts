import type { RedisClient } from './client.js'
import type { Scope } from './scope.js'

/**
 * Called with each message of a channel, and with `null` once the channel is
 * subscribed again after the connection dropped: whatever was published
 * while it was down is lost, so the listener must re-read the state it
 * waits on.
 */
type Listener = (message: string | null) => void

/**
 * One pub/sub connection per context, shared by every queue handle that waits
 * for a signal (join, a put blocked on a full queue). Listeners of a channel
 * are counted, so the channel is subscribed once however many wait on it.
 */
class SignalHub {
  private client: Promise<RedisClient> | undefined
  private readonly channels = new Map<
    string,
    { listeners: Set<Listener>; ready: Promise<unknown> }
  >()

  constructor(private readonly mp: Scope) {}

  /**
   * Calls `listener` with each message on `channel`. Resolves once Redis has
   * confirmed the subscription, so whatever is published afterwards is heard;
   * the result stops listening.
   */
  async listen(channel: string, listener: Listener): Promise<() => Promise<void>> {
    const client = await this.connect()
    let entry = this.channels.get(channel)
    if (!entry) {
      entry = { listeners: new Set(), ready: client.subscribe(channel) }
      this.channels.set(channel, entry)
    }
    const { listeners } = entry
    listeners.add(listener)
    try {
      await entry.ready
    } catch (error) {
      listeners.delete(listener)
      if (listeners.size === 0) this.channels.delete(channel)
      throw error
    }
    let stopped = false
    return async () => {
      if (stopped) return
      stopped = true
      listeners.delete(listener)
      if (listeners.size > 0 || this.channels.get(channel)?.listeners !== listeners) return
      this.channels.delete(channel)
      if (client.status === 'ready' || client.status === 'connect')
        await client.unsubscribe(channel)
    }
  }

  private connect(): Promise<RedisClient> {
    this.client ??= this.mp.openBlockingClient().then((client) => {
      client.on('message', (channel: string, message: string) => {
        for (const listener of this.channels.get(channel)?.listeners ?? []) listener(message)
      })
      // 'ready' after a reconnect: the client re-subscribes by itself, but a
      // message published before that is gone. Subscribe once more and, when
      // Redis confirms (replies come in order, so the channels are live
      // again), tell every listener to look at Redis.
      client.on('ready', () => this.resubscribed(client))
      return client
    })
    const opening = this.client
    opening.catch(() => {
      if (this.client === opening) this.client = undefined
    })
    return opening
  }

  private resubscribed(client: RedisClient): void {
    const channels = [...this.channels.keys()]
    if (channels.length === 0) return
    client.subscribe(...channels).then(
      () => {
        for (const channel of channels) {
          for (const listener of this.channels.get(channel)?.listeners ?? []) listener(null)
        }
      },
      (error: unknown) =>
        this.mp.options.logger.warn({ err: error }, 'signal hub: re-subscribing failed'),
    )
  }
}

const HUB: unique symbol = Symbol('redproc.signalHub')

/** The signal hub of `mp`; its connection closes with the context. */
export function signalHub(mp: Scope): SignalHub {
  return mp.shared(HUB, () => new SignalHub(mp))
}
