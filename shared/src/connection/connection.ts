import { checkIndex } from '../arguments.js'
import { decode, encode, type Json } from '../codec.js'
import { EOFError, RedprocTypeError, Timeout, ValueError } from '../errors.js'
import { BlockingPop } from '../redis/blocking-pop.js'
import { TIMED_OUT } from '../redis/blocking-pop-options.js'
import { withinDeadline } from '../redis/call-deadline.js'
import { KEY_PARTS } from '../redis/keys.js'
import { Peek } from '../redis/peek.js'
import type { Scope } from '../redis/scope.js'
import { Script } from '../redis/script.js'
import { SharedObject } from '../redis/shared-object.js'
import { checkWaitOptions, failAborted, type WaitOptions } from '../waits.js'

const pipeSend = new Script<number>('pipe-send')
const pipeClose = new Script<number>('pipe-close')

/** Left behind the last message for an end whose peer closed. Never JSON, never bytes. */
const EOF_TOKEN = '\u0000redproc:eof'
/** Left in the inbox of a closed end, to wake its receivers in other processes. */
const CLOSED_TOKEN = '\u0000redproc:closed'
/** Marks a `sendBytes` message; JSON text never starts with `b`. */
const BYTES_MARK = 0x62

/** Which end of a pipe: the first or the second of the pair `mp.pipe` returns. */
export type End = 0 | 1

/** `recv`'s wait: TIMEOUT after `timeout`; `ABORTED` when `signal` aborts, the message left unread. */
export type RecvOptions = WaitOptions

type State = 'open' | 'closed'

/**
 * One end of a pipe (`multiprocessing.connection.Connection`). A cheap handle:
 * any process may open the same end by name, `mp.pipe('p')[1]`.
 *
 * Each end reads from an inbox, a Redis list its peer appends to; `recv` is
 * one blocking pop. Closing an end closes it for every process: its unread
 * messages are dropped, and the peer reads what is left, then EOF.
 * Messages sent with `send` and with `sendBytes` share one channel, as in
 * Python: `recvBytes` returns a sent value's JSON text as bytes, and `recv`
 * parses received bytes as JSON.
 */
export class Connection<T extends Json = Json> extends SharedObject {
  readonly end: End
  readonly duplex: boolean
  /** Whether this end may `recv`: both ends of a duplex pipe, end 0 of a one-way one. */
  readonly readable: boolean
  /** Whether this end may `send`: both ends of a duplex pipe, end 1 of a one-way one. */
  readonly writable: boolean
  private readonly inbox: string
  private readonly outbox: string
  private readonly aborter = new AbortController()
  private state: State = 'open'
  private closing: Promise<void> | undefined

  constructor(mp: Scope, name: string, end: End, duplex: boolean) {
    super(mp, 'pipe', name)
    this.end = end
    this.duplex = duplex
    this.readable = duplex || end === 0
    this.writable = duplex || end === 1
    this.inbox = this.objectKeys.part(KEY_PARTS.pipe.inbox(end))
    this.outbox = this.objectKeys.part(KEY_PARTS.pipe.inbox(1 - end))
  }

  get closed(): boolean {
    return this.state === 'closed'
  }

  /** Sends a JSON value to the other end. */
  async send(value: T): Promise<void> {
    this.checkWritable()
    await this.deliver(encode(value, 'message'))
  }

  /**
   * Sends `size` bytes of `buffer` from `offset` as one message; `recvBytes`
   * gets them back as they were.
   */
  async sendBytes(buffer: Uint8Array, offset = 0, size?: number): Promise<void> {
    this.checkWritable()
    if (!(buffer instanceof Uint8Array)) {
      throw new RedprocTypeError('sendBytes takes a Buffer or Uint8Array; send values with send()')
    }
    checkIndex(offset, 'offset')
    if (size !== undefined) checkIndex(size, 'size')
    const length = size ?? buffer.length - offset
    if (offset < 0 || length < 0 || offset + length > buffer.length) {
      throw new ValueError(
        `offset ${offset} and size ${length} do not fit a buffer of ${buffer.length} bytes`,
      )
    }
    const message = Buffer.allocUnsafe(length + 1)
    message[0] = BYTES_MARK
    message.set(buffer.subarray(offset, offset + length), 1)
    await this.deliver(message)
  }

  /** The next message as a JSON value; EOF once the other end closed and all is read. */
  async recv(options?: RecvOptions): Promise<T> {
    const message = await this.receive(options)
    const text = message[0] === BYTES_MARK ? message.subarray(1) : message
    return decode(text.toString('utf8'), this.describe()) as T
  }

  /** The next message as bytes; a value sent with `send` comes as its JSON text. */
  async recvBytes(options?: RecvOptions): Promise<Buffer> {
    const message = await this.receive(options)
    return message[0] === BYTES_MARK ? message.subarray(1) : message
  }

  /**
   * Whether `recv` would return at once: a message is waiting, or the other
   * end closed. Waits up to `timeout` ms for one (Python's `poll(timeout)`,
   * or `{ timeout, signal }`); `Infinity` waits forever. `ABORTED` when
   * `signal` aborts first.
   * @param options @default 0, as in Python: answers without waiting, as
   * does a negative timeout
   */
  async poll(options: number | WaitOptions = 0): Promise<boolean> {
    this.checkReadable()
    const given = typeof options === 'number' ? { timeout: options } : options
    // Python's poll(-1) polls, rather than refusing the timeout as recv does.
    const negative = typeof given?.timeout === 'number' && given.timeout < 0
    const checked = checkWaitOptions(negative ? { ...given, timeout: 0 } : given, 'poll')
    const { signal } = checked
    // No timeout is 0, as in Python; Infinity (checked as undefined) is forever.
    const timeoutMs = given?.timeout === undefined ? 0 : checked.timeoutMs
    const abort = signal ? AbortSignal.any([this.aborter.signal, signal]) : this.aborter.signal
    return withinDeadline(timeoutMs, async () => {
      if (timeoutMs === 0) return (await this.call((redis) => redis.exists(this.inbox))) === 1
      return failAborted(signal, 'poll', () =>
        this.call(() => Peek.of(this.mp, this.inbox).wait(timeoutMs, abort)),
      )
    })
  }

  /**
   * Closes this end for every process that opened it: waiting calls of this
   * handle fail, the other end gets EOF once it has read what was sent.
   * Safe to call twice.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closed'
      this.aborter.abort(new ValueError(`${this.describe()}: this handle was closed`))
      this.closing = this.call((redis) =>
        pipeClose.run(
          redis,
          [this.key, this.inbox, this.outbox],
          [this.end, this.duplex ? '1' : '0', EOF_TOKEN, CLOSED_TOKEN],
        ),
      ).then(
        () => {},
        (error) => {
          this.closing = undefined // so that a later close tries again
          throw error
        },
      )
    }
    return this.closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  protected override describe(): string {
    return `end ${this.end} of pipe '${this.name}'`
  }

  private async deliver(message: string | Buffer): Promise<void> {
    await this.call((redis) =>
      pipeSend.run(redis, [this.key, this.outbox], [this.end, this.duplex ? '1' : '0', message]),
    )
  }

  private async receive(options: RecvOptions | undefined): Promise<Buffer> {
    this.checkReadable()
    const { timeoutMs, signal } = checkWaitOptions(options, 'recv')
    const abort = signal ? AbortSignal.any([this.aborter.signal, signal]) : this.aborter.signal
    const inbox = this.inboxPop()
    const taken = await failAborted(signal, 'recv', () =>
      this.call(() => inbox.take(timeoutMs, abort)),
    )
    if (taken === TIMED_OUT) {
      throw new Timeout(`${this.describe()} received nothing within ${timeoutMs} ms`)
    }
    const token = inbox.stickyToken(taken)
    if (token === EOF_TOKEN) {
      throw new EOFError(
        `${this.describe()}: the other end was closed and everything sent was read`,
      )
    }
    if (token === CLOSED_TOKEN) {
      throw new ValueError(`${this.describe()} was closed`)
    }
    return taken
  }

  private inboxPop(): BlockingPop {
    return BlockingPop.of(this.mp, this.objectKeys, this.inbox, {
      sticky: [
        { token: EOF_TOKEN, flagKey: this.key, flagField: `closed${1 - this.end}` },
        { token: CLOSED_TOKEN, flagKey: this.key, flagField: `closed${this.end}` },
      ],
    })
  }

  private checkWritable(): void {
    this.checkOpen()
    // Python raises io.UnsupportedOperation, a ValueError, writing to a read-only file.
    if (!this.writable) {
      throw new ValueError(
        `${this.describe()} only receives: in a one-way pipe end 0 receives and end 1 sends`,
      )
    }
  }

  private checkReadable(): void {
    this.checkOpen()
    if (!this.readable) {
      throw new ValueError(
        `${this.describe()} only sends: in a one-way pipe end 0 receives and end 1 sends`,
      )
    }
  }

  private checkOpen(): void {
    if (this.state === 'closed') throw new ValueError(`${this.describe()}: this handle was closed`)
  }
}
