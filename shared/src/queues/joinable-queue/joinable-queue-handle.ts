import { blockingSeconds } from '../../arguments.js'
import { ValueError } from '../../errors.js'
import { isUnreachable } from '../../redis/call-deadline.js'
import type { RedisClient } from '../../redis/client.js'
import { KEY_PARTS } from '../../redis/keys.js'
import type { Scope } from '../../redis/scope.js'
import { SharedObject } from '../../redis/shared-object.js'
import { AckBatcher } from './ack-batcher.js'
import { BullmqLayout } from './bullmq-layout.js'
import { ItemFetcher } from './item-fetcher.js'
import type { Taken, TakeResult } from './items.js'
import { JobScripts } from './job-scripts.js'
import {
  type JoinableQueueOptions,
  type ResolvedJoinableQueueOptions,
  resolveOptions,
} from './joinable-queue-options.js'
import { LeaseKeeper } from './lease-keeper.js'
import { holderStem } from './leases.js'

type State = 'open' | 'closing' | 'closed'

/**
 * What one joinable queue handle holds beneath its API: the BullMQ layout
 * and scripts, the items it fetched ahead and got, their leases, the acks of
 * taskDone(), its blocking connection, and the close that gives all of it
 * back.
 */
export abstract class JoinableQueueHandle extends SharedObject implements AsyncDisposable {
  readonly options: ResolvedJoinableQueueOptions
  /** Where BullMQ finds this queue: `new Queue(bullmq.name, { prefix: bullmq.prefix, connection })`. */
  readonly bullmq: { readonly name: string; readonly prefix: string }
  protected readonly layout: BullmqLayout
  protected readonly channel: string
  protected readonly scripts: JobScripts
  /** Stems this handle's lock tokens, so a lock names its holder's host and pid. */
  private readonly handle = holderStem()
  /** Items handed to gets and not yet acknowledged, oldest first. */
  protected readonly held: Taken[] = []
  protected readonly fetcher: ItemFetcher
  protected readonly keeper: LeaseKeeper
  protected readonly acks: AckBatcher
  /** Aborted by close(): pending puts and joins fail with its reason. */
  protected readonly closed = new AbortController()
  private blocking: Promise<RedisClient> | undefined
  private takes = 0
  /** Joins waiting on this handle: while any does, it runs the lost-item check too. */
  protected joins = 0
  private state: State = 'open'
  private closing: Promise<void> | undefined
  private engaged = false

  constructor(mp: Scope, name: string, options: JoinableQueueOptions = {}) {
    super(mp, 'joinable-queue', name)
    this.options = resolveOptions(options)
    this.layout = new BullmqLayout(this.objectKeys, name)
    this.bullmq = { name: this.layout.queueName, prefix: this.layout.prefix }
    this.channel = this.objectKeys.part(KEY_PARTS.joinableQueue.signals)
    this.scripts = new JobScripts(
      (exchange) => this.call(exchange),
      this.layout,
      this.key,
      this.channel,
    )
    this.keeper = new LeaseKeeper(
      mp,
      this.layout,
      { key: this.key, channel: this.channel },
      this.options.lease,
      () => this.fetcher.hasWaiters || this.joins > 0,
    )
    this.acks = new AckBatcher(
      (items) => this.writeAcks(items),
      (error) => this.logBackgroundError(error, 'acknowledgements not written yet; retrying'),
    )
    this.fetcher = new ItemFetcher(
      {
        take: (count) => this.take(count),
        awaitItems: (timeoutMs) => this.awaitItems(timeoutMs),
        passWake: () => this.call((redis) => redis.zadd(this.layout.keys.marker, 0, '0')).then(),
        giveBack: (items) => this.release(items),
        handOut: (item) => this.held.push(item),
        reachable: () => !isUnreachable(this.mp.redis),
        sendDue: () => {
          this.acks.send()
          this.keeper.renewIfDue()
        },
        onBackgroundError: (error) => this.logBackgroundError(error, 'could not give items back'),
      },
      this.options.prefetch,
      this.describe(),
    )
  }

  /**
   * Releases this handle: pending gets fail, acks are written, items it
   * fetched ahead or got and did not acknowledge go back to the queue, and its
   * connections close. The queue itself lives on. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce()
    return this.closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  private async take(count: number): Promise<TakeResult> {
    const result = await this.scripts.take(
      count,
      `${this.handle}:${++this.takes}`,
      this.options.lease,
      this.options.keepEvents,
    )
    this.keeper.add(result.items)
    if (result.items.length > 0) this.keeper.start()
    return result
  }

  private async awaitItems(timeoutMs: number | undefined): Promise<boolean> {
    this.checkOpen()
    this.keeper.start()
    const client = await this.blockingClient()
    const reply = await this.call(() =>
      client.bzpopmin(this.layout.keys.marker, blockingSeconds(timeoutMs)),
    )
    return reply !== null
  }

  private async writeAcks(items: Taken[]): Promise<void> {
    await this.scripts.ack(items, this.options.keepCompleted)
    this.keeper.remove(items)
  }

  private async release(items: Taken[]): Promise<void> {
    await this.scripts.release(items)
    this.keeper.remove(items)
  }

  /**
   * A client of this handle's own for the blocking wait, opened on first need
   * and closed by close(), which must disconnect it: a QUIT would wait behind
   * the blocked command.
   */
  private blockingClient(): Promise<RedisClient> {
    if (!this.blocking) {
      const opening = this.mp.openBlockingClient({ closedBy: 'caller' })
      this.blocking = opening
      opening.catch(() => {
        if (this.blocking === opening) this.blocking = undefined
      })
    }
    return this.blocking
  }

  /** A handle that consumes or waits holds resources: close it with its context. */
  protected engage(): void {
    if (this.engaged) return
    this.engaged = true
    this.mp.onClose(() => this.close())
  }

  protected checkOpen(): void {
    if (this.state !== 'open') throw new ValueError(`${this.describe()} is closed`)
  }

  private logBackgroundError(error: unknown, message: string): void {
    this.mp.options.logger.warn({ err: error, queue: this.name }, `joinable queue: ${message}`)
  }

  private async closeOnce(): Promise<void> {
    this.state = 'closing'
    const closedWhileWaiting = new ValueError(`${this.describe()} was closed while waiting`)
    this.closed.abort(closedWhileWaiting)
    const failures: unknown[] = []
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step()
      } catch (error) {
        failures.push(error)
      }
    }
    let buffered: Taken[] = []
    await attempt(async () => {
      buffered = await this.fetcher.close(closedWhileWaiting, async () => {
        const client = await this.blocking?.catch(() => undefined)
        client?.disconnect()
      })
    })
    this.acks.stop()
    await attempt(() => this.acks.settle())
    this.acks.abandon(new ValueError(`${this.describe()} was closed before the ack was written`))
    // Items got and not acknowledged, then the ones fetched ahead: oldest first.
    const unfinished = [...this.held.splice(0), ...buffered]
    if (unfinished.length > 0) await attempt(() => this.release(unfinished))
    await attempt(() => this.keeper.close())
    this.state = 'closed'
    if (failures.length === 1) throw failures[0]
    if (failures.length > 1) throw new AggregateError(failures, `${this.describe()}: close failed`)
  }
}
