import type { RedisClient } from '../../redis/client.js'
import { Script } from '../../redis/script.js'
import type { BullmqLayout } from './bullmq-layout.js'
import type { ShutdownState, Taken, TakeResult } from './items.js'

const putScript = new Script<number>('joinable-queue-put')
const takeScript = new Script<string[]>('joinable-queue-take')
const ackScript = new Script<[number, number]>('joinable-queue-ack')
const releaseScript = new Script<number>('joinable-queue-release')
const shutdownScript = new Script<number>('joinable-queue-shutdown')

/** Runs one Redis exchange, turning script errors into RedprocErrors. */
export type Exchange = <R>(exchange: (redis: RedisClient) => Promise<R>) => Promise<R>

/**
 * The Lua scripts of one joinable queue: each moves BullMQ jobs the way
 * BullMQ's own scripts do and keeps the queue's state hash (unfinished count,
 * maxsize, shutdown) in the same step.
 */
export class JobScripts {
  constructor(
    private readonly call: Exchange,
    private readonly layout: BullmqLayout,
    /** The state hash: unfinished, maxsize, shutdown. */
    private readonly state: string,
    /** Where scripts publish 'join', 'room' and 'shutdown'. */
    private readonly channel: string,
  ) {}

  /**
   * Puts as many of `texts` as fit; SHUTDOWN after shutdown(). `maxsize` and
   * `keepEvents` count only if the queue has none recorded yet.
   */
  put(texts: string[], maxsize: number, keepEvents: number): Promise<number> {
    const { keys, jobKeyPrefix } = this.layout
    return this.call((redis) =>
      putScript.run(
        redis,
        [this.state, keys.wait, keys.meta, keys.id, keys.events, keys.marker],
        [jobKeyPrefix, Date.now(), maxsize, keepEvents, ...texts],
      ),
    )
  }

  /**
   * Takes up to `count` items, locked under `token` for `leaseMs`. Records
   * `keepEvents` if the queue has no setting yet.
   */
  async take(
    count: number,
    token: string,
    leaseMs: number,
    keepEvents: number,
  ): Promise<TakeResult> {
    const { keys, jobKeyPrefix } = this.layout
    const [shutdown, ...flat] = await this.call((redis) =>
      takeScript.run(
        redis,
        [this.state, keys.wait, keys.active, keys.events, keys.marker, keys.meta],
        [jobKeyPrefix, Date.now(), leaseMs, token, count, this.channel, keepEvents],
      ),
    )
    const items: Taken[] = []
    for (let i = 0; i + 2 < flat.length; i += 3) {
      items.push({
        id: flat[i] as string,
        token,
        data: flat[i + 1] as string,
        counted: !!flat[i + 2],
      })
    }
    return { shutdown: (shutdown ?? '') as ShutdownState, items }
  }

  /** Acknowledges `items`; each counts once, whoever acks it and however late. */
  async ack(items: Taken[], keepCompleted: number): Promise<void> {
    const { keys, jobKeyPrefix } = this.layout
    const args: Array<string | number> = [jobKeyPrefix, Date.now(), keepCompleted, this.channel]
    for (const item of items) args.push(item.id, item.token, item.counted ? '1' : '0')
    await this.call((redis) =>
      ackScript.run(
        redis,
        [this.state, keys.active, keys.stalled, keys.events, keys.completed, keys.meta],
        args,
      ),
    )
  }

  /** Puts `items` (oldest first) back at the head of the queue, or drops them after an immediate shutdown. */
  async release(items: Taken[]): Promise<void> {
    const { keys, jobKeyPrefix } = this.layout
    await this.call((redis) =>
      releaseScript.run(
        redis,
        [this.state, keys.wait, keys.active, keys.stalled, keys.events, keys.marker, keys.meta],
        [jobKeyPrefix, this.channel, ...pairs(items)],
      ),
    )
  }

  async shutdown(mode: 'graceful' | 'immediate'): Promise<void> {
    const { keys, jobKeyPrefix } = this.layout
    await this.call((redis) =>
      shutdownScript.run(
        redis,
        [this.state, keys.wait, keys.events, keys.marker, keys.meta],
        [jobKeyPrefix, mode, this.channel],
      ),
    )
  }
}

function pairs(items: Taken[]): string[] {
  return items.flatMap((item) => [item.id, item.token])
}
