/**
 * Every error redproc throws is a `RedprocError` with a stable `code`. The
 * subclasses carry the names of the Python exceptions they stand for, so
 * `catch (e) { if (e instanceof Empty) … }` reads like `except queue.Empty`.
 */

export const ERROR_CODES = [
  'EMPTY',
  'FULL',
  'SHUTDOWN',
  'TIMEOUT',
  'TOO_MANY_TASK_DONE',
  'NOT_OWNER',
  'SEMAPHORE_OVERFLOW',
  'BROKEN_BARRIER',
  'EOF',
  'AUTH',
  'INVALID_NAME',
  'NOT_SERIALIZABLE',
  'UNKNOWN_TASK',
  'REMOTE_TASK_FAILED',
  'CONNECTION',
  'INDEX_ERROR',
  'KEY_ERROR',
  'VALUE_ERROR',
  'TYPE_ERROR',
  'IN_USE',
  'ABORTED',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

const BRAND = Symbol.for('redproc.error')

export class RedprocError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = new.target.name
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/** Works across two copies of this package, where `instanceof` does not. */
export function isRedprocError(error: unknown, code?: ErrorCode): error is RedprocError {
  if (typeof error !== 'object' || error === null || !(BRAND in error)) return false
  return code === undefined || (error as unknown as RedprocError).code === code
}

type Message = [message: string, options?: ErrorOptions]

/** `queue.Empty` */
export class Empty extends RedprocError {
  constructor(...[message, options]: Message) {
    super('EMPTY', message, options)
  }
}

/** `queue.Full` */
export class Full extends RedprocError {
  constructor(...[message, options]: Message) {
    super('FULL', message, options)
  }
}

/** `queue.ShutDown` (Python 3.13) */
export class ShutDown extends RedprocError {
  constructor(...[message, options]: Message) {
    super('SHUTDOWN', message, options)
  }
}

/** `TimeoutError` */
export class Timeout extends RedprocError {
  constructor(...[message, options]: Message) {
    super('TIMEOUT', message, options)
  }
}

/** `threading.BrokenBarrierError` */
export class BrokenBarrierError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('BROKEN_BARRIER', message, options)
  }
}

/**
 * A blocking call whose `signal` aborted; `cause` is the signal's reason.
 * Named as the DOM's abort error, so code that checks `name === 'AbortError'` sees it.
 */
export class AbortError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('ABORTED', message, options)
  }
}

/** `EOFError` */
export class EOFError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('EOF', message, options)
  }
}

/** `multiprocessing.AuthenticationError` */
export class AuthenticationError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('AUTH', message, options)
  }
}

/** `pickle.PicklingError` */
export class NotSerializable extends RedprocError {
  constructor(...[message, options]: Message) {
    super('NOT_SERIALIZABLE', message, options)
  }
}

/** `IndexError` */
export class IndexError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('INDEX_ERROR', message, options)
  }
}

/** `KeyError` */
export class KeyError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('KEY_ERROR', message, options)
  }
}

/** `ValueError` */
export class ValueError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('VALUE_ERROR', message, options)
  }
}

/** `TypeError` */
export class RedprocTypeError extends RedprocError {
  constructor(...[message, options]: Message) {
    super('TYPE_ERROR', message, options)
  }
}

/** `ConnectionError` */
export class ConnectionLost extends RedprocError {
  constructor(...[message, options]: Message) {
    super('CONNECTION', message, options)
  }
}

/** What the caller learns of a task that failed where it ran. */
export interface RemoteFailure {
  code: 'UNKNOWN_TASK' | 'REMOTE_TASK_FAILED' | 'TIMEOUT'
  message: string
  stack?: string
  task: string
  host: string
  pid: number
  /** The worker thread, for the local backend. */
  threadId: number
}

/**
 * `REMOTE_TASK_FAILED` (or `UNKNOWN_TASK`, `TIMEOUT`), carrying where and how
 * the task failed: the same shape whether it ran on a worker of this process
 * or in a serving process on another machine.
 */
export class RemoteTaskError extends RedprocError {
  readonly remote: RemoteFailure

  constructor(remote: RemoteFailure) {
    const where = `${remote.host} pid ${remote.pid}${remote.threadId ? ` thread ${remote.threadId}` : ''}`
    super(remote.code, `task '${remote.task}' failed on ${where}: ${remote.message}`)
    this.remote = remote
  }
}

const SUBCLASSES: Partial<
  Record<ErrorCode, new (message: string, options?: ErrorOptions) => RedprocError>
> = {
  EMPTY: Empty,
  FULL: Full,
  SHUTDOWN: ShutDown,
  TIMEOUT: Timeout,
  BROKEN_BARRIER: BrokenBarrierError,
  EOF: EOFError,
  AUTH: AuthenticationError,
  NOT_SERIALIZABLE: NotSerializable,
  INDEX_ERROR: IndexError,
  KEY_ERROR: KeyError,
  VALUE_ERROR: ValueError,
  TYPE_ERROR: RedprocTypeError,
  CONNECTION: ConnectionLost,
  ABORTED: AbortError,
}

/** The error for `code`, as its Python-named subclass where there is one. */
export function errorFor(code: ErrorCode, message: string, options?: ErrorOptions): RedprocError {
  const Subclass = SUBCLASSES[code]
  return Subclass ? new Subclass(message, options) : new RedprocError(code, message, options)
}
