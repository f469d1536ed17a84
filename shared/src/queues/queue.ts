import { checkIterable } from '../arguments.js'
import { decode, encode, type Json } from '../codec.js'
import { Empty, Full, ShutDown, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { BlockingPop } from '../redis/blocking-pop.js'
import { TIMED_OUT } from '../redis/blocking-pop-options.js'
import { withinDeadline } from '../redis/call-deadline.js'
import { deleteKeys } from '../redis/delete-keys.js'
import { KEY_PARTS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { failAborted, throwIfAborted, WAIT_OPTIONS, type WaitOptions } from '../waits.js'
import { itemsUntilShutdown } from './items-until-shutdown.js'
import { PutCoalescer } from './put-coalescer.js'

const queuePut = new Script<number>('queue-put')
const queueGet = new Script<string | null>('queue-get')
const queueRoom = new Script<number>('queue-room')
const queueSize = new Script<[number, number]>('queue-size')
const queueShutdown = new Script<number>('queue-shutdown')

/** Left behind the last item by shutdown; never valid JSON, so never an item. */
const SHUTDOWN_TOKEN = '\u0000redproc:shutdown'

/** Items per script call: Lua's `unpack` has a stack limit of about 8000. */
const CHUNK = 1000

/** How `queue-put.lua` counts the caller among the putters waiting for room. */
const Waits = { No: 0, WillWait: 1, Retrying: 2 } as const

export interface QueueOptions {
  /**
   * How many items the queue holds before `put` waits for room; 0 or less is
   * unbounded. The first bounded put records the bound in Redis, and from
   * then on every handle of the queue keeps to that one.
   * @default 0
   */
  maxsize?: number
}

/** `timeout`: FULL after it; `signal`: ABORTED, nothing put. */
export interface PutOptions extends WaitOptions {
  /** Wait for room in a full bounded queue; false fails with FULL at once (`putNowait`). @default true */
  block?: boolean
}

/** `timeout`: EMPTY after it; `signal`: ABORTED, nothing taken. */
export interface GetOptions extends WaitOptions {
  /** Wait for an item; false fails with EMPTY at once (`getNowait`). @default true */
  block?: boolean
}

export interface ShutdownOptions {
  /** Drop the items now rather than let them be got. @default false */
  immediate?: boolean
}

const QUEUE_OPTIONS: Schema<QueueOptions> = { maxsize: option.integer() }

const BLOCKING_OPTIONS: Schema<PutOptions & GetOptions> = { ...WAIT_OPTIONS, block: option.boolean }

const SHUTDOWN_OPTIONS: Schema<ShutdownOptions> = { immediate: option.boolean }

type State = 'open' | 'closed'

/**
 * `multiprocessing.Queue`: JSON items in a Redis list, first in first out,
 * for any number of producers and consumers in any processes.
 *
 * An open unbounded queue is the plain list at its main key: a put is one
 * RPUSH, and the puts made meanwhile in one process ride in the next one
 * together (see `PutCoalescer`); a get is one BLMPOP, and the gets waiting
 * in one process share it, taking as many items as they want (see
 * `BlockingPop`). A bound or a shutdown has to be checked on every put, so
 * the first bounded put, or the shutdown, moves the items to a guarded list
 * (`<key>:items`) that only scripts write to, and leaves a string at the main
 * key: a plain push there fails (WRONGTYPE) from then on, and sends its
 * handle to the scripts for good. There are no acknowledgements: an item is
 * gone once got. Use `joinableQueue` for `taskDone` and `join`, and for
 * items that must survive a consumer that dies.
 */
export class Queue<T extends Json = Json> extends SharedObject implements AsyncIterable<T> {
  /** This handle's bound; a bound recorded in Redis takes precedence. */
  readonly maxsize: number
  /** The guarded list: the items of a bounded or shut-down queue. */
  private readonly itemsKey: string
  private readonly metaKey: string
  private readonly roomKey: string
  private readonly aborter = new AbortController()
  private state: State = 'open'
  private itemsPop: BlockingPop | undefined
  private puts: PutCoalescer | undefined
  /** Whether this handle saw the main key retired: puts go through the script. */
  private guarded = false

  constructor(mp: Scope, name: string, options?: QueueOptions) {
    super(mp, 'queue', name)
    const { maxsize = 0 } = checkOptions(options, QUEUE_OPTIONS, 'queue options')
    this.maxsize = Math.max(maxsize, 0)
    this.itemsKey = this.objectKeys.part(KEY_PARTS.queue.items)
    this.metaKey = this.objectKeys.part(KEY_PARTS.queue.meta)
    this.roomKey = this.objectKeys.part(KEY_PARTS.queue.room)
  }

  /** Appends `item`, waiting for room in a full bounded queue (FULL after `timeout`). */
  async put(item: T, options?: PutOptions): Promise<void> {
    this.checkOpen()
    const json = encode(item, 'item')
    const { timeout, abort, signal } = this.checkWait(options, 'put')
    const coalescer = this.coalescer()
    if (timeout === undefined && signal === undefined && coalescer) {
      // The everyday put: no deadline for its commands to share, nothing to time or abort.
      if (!(await coalescer.add(json))) await this.putTexts([json], undefined, abort)
      return
    }
    await failAborted(signal, 'put', () =>
      withinDeadline(timeout, async () => {
        if (!coalescer) return this.putTexts([json], timeout, abort)
        const started = performance.now()
        if (await coalescer.add(json)) return
        // A recorded bound left no room: wait for it the way bounded puts do.
        if (timeout === 0) throw this.fullError(0, 1)
        const left =
          timeout === undefined ? undefined : Math.max(timeout - (performance.now() - started), 0)
        await this.putTexts([json], left, abort, timeout)
      }),
    )
  }

  /** `put` without waiting: FULL at once when there is no room. */
  async putNowait(item: T): Promise<void> {
    this.checkOpen()
    const json = encode(item, 'item')
    const coalescer = this.coalescer()
    if (coalescer) {
      if (await coalescer.add(json)) return
      throw this.fullError(0, 1)
    }
    await this.putTexts([json], 0, this.aborter.signal)
  }

  /**
   * Appends every item in order, in as few calls as the bound allows. All are
   * checked before any is written. In a bounded queue the items go in as room
   * appears; FULL after `timeout` says how many went in.
   */
  async putMany(items: Iterable<T>, options?: PutOptions): Promise<void> {
    this.checkOpen()
    const texts = Array.from(checkIterable(items, 'items'), (item, i) => encode(item, 'items', i))
    const { timeout, abort, signal } = this.checkWait(options, 'putMany')
    if (texts.length === 0) return
    await failAborted(signal, 'putMany', () =>
      withinDeadline(timeout, () => this.putTexts(texts, timeout, abort)),
    )
  }

  /** Removes and returns the head item, waiting for one (EMPTY after `timeout`). */
  async get(options?: GetOptions): Promise<T> {
    this.checkOpen()
    const { timeout, abort, signal } = this.checkWait(options, 'get')
    return failAborted(signal, 'get', () =>
      withinDeadline(timeout, async () => {
        if (timeout === 0) return this.getNowait()
        this.sendPendingPuts()
        // take() fails only with RedprocErrors (or the caller's abort reason): no `call` needed.
        const taken = await this.items().take(timeout, abort)
        if (taken === TIMED_OUT) {
          throw new Empty(`${this.describe()} had no item to get within ${timeout} ms`)
        }
        if (this.items().stickyToken(taken) !== undefined) throw this.shutDownForGet()
        return decode(taken.toString('utf8'), this.describe()) as T
      }),
    )
  }

  /** `get` without waiting: EMPTY at once when there is no item. */
  async getNowait(): Promise<T> {
    this.checkOpen()
    this.sendPendingPuts()
    const text = await this.call((redis) =>
      queueGet.run(redis, [this.key, this.itemsKey, this.metaKey, this.roomKey], [SHUTDOWN_TOKEN]),
    )
    if (text === null) throw new Empty(`${this.describe()} is empty`)
    return decode(text, this.describe()) as T
  }

  /** How many items the queue holds now. */
  async qsize(): Promise<number> {
    const [size] = await this.sizeAndBound()
    return size
  }

  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0
  }

  /** Whether a bounded queue has no room left; never for an unbounded one. */
  async full(): Promise<boolean> {
    const [size, recorded] = await this.sizeAndBound()
    const maxsize = recorded > 0 ? recorded : this.maxsize
    return maxsize > 0 && size >= maxsize
  }

  /**
   * Python 3.13's `shutdown`, for every handle in every process: puts fail
   * with SHUTDOWN from now on (blocked ones too); gets go on until the queue
   * is drained, then fail with SHUTDOWN (blocked ones wake). `immediate`
   * drops the items at once.
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    this.checkOpen()
    const checked = checkOptions(options, SHUTDOWN_OPTIONS, 'shutdown() options')
    const immediate = checked.immediate === true ? '1' : '0'
    this.sendPendingPuts()
    await this.call((redis) =>
      queueShutdown.run(
        redis,
        [this.key, this.itemsKey, this.metaKey, this.roomKey],
        [immediate, SHUTDOWN_TOKEN],
      ),
    )
  }

  /**
   * Closes this handle only: its waiting calls fail, later calls fail with
   * VALUE_ERROR, and the queue and its items stay. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.aborter.abort(new ValueError(`${this.describe()}: this handle was closed`))
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /**
   * Deletes the queue from Redis with its items, bound and shutdown, and
   * resolves with how many keys went; the name may then be used again for a
   * new, empty queue. Closes this handle first; other handles find the queue
   * empty. Puts this process made before are sent first, so none lands after.
   */
  async delete(): Promise<number> {
    this.checkOpen()
    this.sendPendingPuts()
    await this.close()
    return this.call((redis) => deleteKeys(redis, this.objectKeys.pattern))
  }

  /** Gets item after item; ends once the queue is shut down and drained. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return itemsUntilShutdown(() => this.get())
  }

  /**
   * A wait's options, checked: its timeout (0 when it may not block), the
   * caller's signal, and what aborts it: closing this handle, or that signal.
   */
  private checkWait(
    options: PutOptions | GetOptions | undefined,
    method: string,
  ): { timeout: number | undefined; abort: AbortSignal; signal: AbortSignal | undefined } {
    if (options === undefined) {
      return { timeout: undefined, abort: this.aborter.signal, signal: undefined }
    }
    const {
      block = true,
      timeout,
      signal,
    } = checkOptions(options, BLOCKING_OPTIONS, `${method}() options`)
    throwIfAborted(signal, method)
    return {
      timeout: block ? timeout : 0,
      abort: signal ? AbortSignal.any([this.aborter.signal, signal]) : this.aborter.signal,
      signal,
    }
  }

  /** Puts `texts`, waiting for room up to `timeoutMs` (0: not at all) unless `abort` aborts. */
  private async putTexts(
    texts: string[],
    timeoutMs: number | undefined,
    abort: AbortSignal,
    /** The caller's whole timeout, for the FULL message. @default timeoutMs */
    shownTimeoutMs = timeoutMs,
  ): Promise<void> {
    const nowait = timeoutMs === 0
    this.sendPendingPuts()
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
    let sent = 0
    let waits: number = nowait ? Waits.No : Waits.WillWait
    while (sent < texts.length) {
      const chunk = texts.slice(sent, sent + CHUNK)
      const count = await this.append(chunk, this.maxsize, waits)
      sent += count
      if (count === chunk.length) {
        waits = nowait ? Waits.No : Waits.WillWait
        continue
      }
      // Full. Unless told not to, the script now counts this call as waiting.
      if (nowait) throw this.fullError(sent, texts.length)
      waits = Waits.Retrying
      const left = deadline === undefined ? undefined : Math.max(deadline - performance.now(), 0)
      const woken =
        left === 0
          ? TIMED_OUT
          : await this.waitForRoom(left, abort).catch(async (error: unknown) => {
              // Aborted (or closed): no longer counted among the putters waiting for room.
              await this.uncountWaiting().catch(() => {})
              throw error
            })
      if (woken === TIMED_OUT) {
        // Uncount this caller, then report; a shutdown meanwhile wins.
        await this.uncountWaiting()
        throw this.fullError(sent, texts.length, shownTimeoutMs)
      }
    }
  }

  /**
   * Appends up to CHUNK texts and returns how many went in: one plain RPUSH
   * while the queue is open and unbounded, else the script, which checks
   * the bound and the shutdown (see `queue-put.lua`).
   */
  private async append(texts: string[], maxsize: number, waits: number): Promise<number> {
    if (maxsize <= 0 && !this.guarded) {
      const pushed = await this.call(async (redis) => {
        try {
          await redis.rpush(this.key, ...texts)
          return true
        } catch (error) {
          if (isWrongType(error)) return false
          throw error
        }
      })
      if (pushed) return texts.length
      // The main key holds a string: the queue got a bound or was shut down.
      this.guarded = true
    }
    return this.call((redis) =>
      queuePut.run(
        redis,
        [this.key, this.itemsKey, this.metaKey, this.roomKey],
        [maxsize, waits, ...texts],
      ),
    )
  }

  /** Takes a putter that waited for room off the count of those waiting. */
  private async uncountWaiting(): Promise<void> {
    await this.call((redis) =>
      queuePut.run(
        redis,
        [this.key, this.itemsKey, this.metaKey, this.roomKey],
        [this.maxsize, Waits.Retrying],
      ),
    )
  }

  /** Blocks on the room list until a get frees a slot (or shutdown). */
  private async waitForRoom(timeoutMs: number | undefined, abort: AbortSignal): Promise<unknown> {
    const room = BlockingPop.of(this.mp, this.objectKeys, this.roomKey, {
      sticky: [{ token: SHUTDOWN_TOKEN, flagKey: this.metaKey, flagField: 'shutdown' }],
    })
    return this.call(() => room.take(timeoutMs, abort))
  }

  private items(): BlockingPop {
    // Kept: the pop lives as long as the context, and a closed one refuses.
    this.itemsPop ??= BlockingPop.of(this.mp, this.objectKeys, this.key, {
      sticky: [{ token: SHUTDOWN_TOKEN, flagKey: this.metaKey, flagField: 'shutdown' }],
      fallback: this.itemsKey,
      // Only a bounded queue has putters waiting for room, and only its
      // guarded list frees any: pops from the main key need nothing more.
      afterPop: (from) => {
        if (from === this.itemsKey) void this.wakePutters()
      },
    })
    return this.itemsPop
  }

  /** Leaves an entry in the room list for each slot a blocked putter may take. */
  private async wakePutters(): Promise<void> {
    try {
      await queueRoom.run(this.mp.redis, [this.itemsKey, this.metaKey, this.roomKey])
    } catch (error) {
      this.mp.options.logger.warn({ err: error, key: this.key }, 'could not wake waiting putters')
    }
  }

  /**
   * The coalescer of this queue's puts in this context; none for a handle
   * with a bound, whose puts may wait for room, nor once the queue is known
   * to have one.
   */
  private coalescer(): PutCoalescer | undefined {
    if (this.maxsize > 0) return undefined
    this.puts ??= PutCoalescer.of(
      this.mp,
      this.key,
      (texts) => this.append(texts, 0, Waits.No),
      CHUNK,
    )
    return this.puts.bounded ? undefined : this.puts
  }

  /** Puts of this queue waiting in this process go out before the caller's next command. */
  private sendPendingPuts(): void {
    PutCoalescer.sendPending(this.mp, this.key)
  }

  private async sizeAndBound(): Promise<[number, number]> {
    this.checkOpen()
    this.sendPendingPuts()
    return this.call((redis) =>
      queueSize.run(redis, [this.key, this.itemsKey, this.metaKey], [SHUTDOWN_TOKEN]),
    )
  }

  private fullError(sent: number, total: number, timeoutMs?: number): Full {
    const when = timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`
    const progress = total > 1 ? ` (${sent} of ${total} items went in)` : ''
    return new Full(`${this.describe()} is full: no room${when}${progress}`)
  }

  private shutDownForGet(): ShutDown {
    return new ShutDown(`${this.describe()} was shut down and has no items left`)
  }

  private checkOpen(): void {
    if (this.state === 'closed') {
      throw new ValueError(`${this.describe()}: this handle was closed`)
    }
  }
}

function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('WRONGTYPE')
}
