import { checkIndex } from '../../arguments.js'
import { encode, type Json } from '../../codec.js'
import { RedprocError, RedprocTypeError, ValueError } from '../../errors.js'
import type { PreparedJob } from './job-store.js'

/** BullMQ's `KeepJobs`: keep finished jobs up to an age and/or a count. */
export interface KeepJobs {
  /** Seconds a finished job is kept. */
  age?: number
  /** The most finished jobs of the queue kept. */
  count?: number
}

/**
 * What one job asks of its queue, named and shaped as BullMQ's `JobsOptions`
 * so that a BullMQ user reads them as they are.
 */
export interface JobOptions {
  /**
   * The job's id, chosen by the caller. Putting a job whose id exists enqueues
   * nothing and returns that id (an idempotent resubmission) as long as the
   * job is kept; the same id with other data fails with VALUE_ERROR. Letters,
   * digits, `.`, `_`, `-`, not only digits (those are the queue's own ids).
   * @default a new number from the queue's counter
   */
  jobId?: string
  /** Runs in all, the first included: a failed run is retried until this many ran. @default 1 */
  attempts?: number
  /** The wait before a retry, in ms, or BullMQ's `{ type: 'fixed' | 'exponential', delay }`. @default 0 */
  backoff?: number | { type: 'fixed' | 'exponential'; delay: number }
  /** Ms before the job may be taken (to within a second: consumers promote due jobs each second). @default 0 */
  delay?: number
  /**
   * What is kept of a completed job, with its result: `true` removes it at
   * once, `false` keeps it, a number keeps that many, or `{ age, count }`
   * (age in seconds). Idempotent resubmission lasts as long as the job is kept.
   * @default { age: 86400, count: 10000 }: a day, and the last 10,000 at most
   */
  removeOnComplete?: boolean | number | KeepJobs
  /** The same for a job that failed its last attempt, with its error. @default { age: 604800, count: 10000 }: a week, 10,000 at most */
  removeOnFail?: boolean | number | KeepJobs
}

/** One job to put, as BullMQ's `addBulk` takes it. */
export interface NewJob<T extends Json = Json> {
  /** BullMQ's job name, shown by its tools: the task, for a job put over HTTP. @default 'item' */
  name?: string
  data: T
  opts?: JobOptions
}

/**
 * Jobs are kept for their results a day, failures a week, each up to a
 * count: BullMQ keeps both forever by default, which a long-running service
 * pays for in memory; the count keeps a busy queue's memory flat.
 */
export const JOB_DEFAULTS = {
  attempts: 1,
  delay: 0,
  removeOnComplete: { age: 86_400, count: 10_000 },
  removeOnFail: { age: 604_800, count: 10_000 },
} as const

/** BullMQ options this layout does not implement, and why: refused, never ignored. */
const UNSUPPORTED: Record<string, string> = {
  priority: 'jobs of a joinable queue are taken first in, first out',
  lifo: 'jobs of a joinable queue are taken first in, first out',
  repeat: 'repeatable jobs are not supported; put each run',
  parent: 'flows (parent and child jobs) are not supported',
  deduplication: 'use jobId: a job whose id exists is not put again',
  timestamp: 'the queue stamps each job when it is put',
  stackTraceLimit: 'the last 10 stack traces are kept',
}

const KNOWN = new Set(['jobId', 'attempts', 'backoff', 'delay', 'removeOnComplete', 'removeOnFail'])

/** Job ids of the caller's choosing: no `:` (BullMQ's separator), not all digits (the counter's). */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/

/** A job's options, checked, in the shape BullMQ stores as the job hash's `opts`. */
export interface CheckedJobOptions {
  jobId: string | undefined
  delay: number
  /** The `opts` field: attempts, backoff, removeOnComplete, removeOnFail as given. */
  stored: Record<string, unknown>
}

/** Checks `options`: TYPE_ERROR for unknown keys and wrong types, VALUE_ERROR for values out of range. */
export function checkJobOptions(options: unknown, what = 'job options'): CheckedJobOptions {
  if (options === undefined)
    return { jobId: undefined, delay: JOB_DEFAULTS.delay, stored: storedDefaults() }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RedprocTypeError(`${what} must be an object like { attempts: 3 }`)
  }
  for (const key of Object.keys(options)) {
    const reason = UNSUPPORTED[key]
    if (reason) throw new ValueError(`${what}: ${key} is not supported: ${reason}`)
    if (!KNOWN.has(key)) {
      throw new RedprocTypeError(
        `${what}: unknown option '${key}' (known: ${[...KNOWN].join(', ')})`,
      )
    }
  }
  const given = options as JobOptions
  const stored: Record<string, unknown> = {
    attempts: atLeast(given.attempts ?? JOB_DEFAULTS.attempts, `${what}: attempts`, 1),
  }
  if (given.backoff !== undefined) stored.backoff = checkBackoff(given.backoff, `${what}: backoff`)
  stored.removeOnComplete =
    given.removeOnComplete === undefined
      ? JOB_DEFAULTS.removeOnComplete
      : checkKeep(given.removeOnComplete, `${what}: removeOnComplete`)
  stored.removeOnFail =
    given.removeOnFail === undefined
      ? JOB_DEFAULTS.removeOnFail
      : checkKeep(given.removeOnFail, `${what}: removeOnFail`)
  const jobId = given.jobId === undefined ? undefined : checkJobId(given.jobId, `${what}: jobId`)
  if (jobId !== undefined) stored.jobId = jobId
  const delay = atLeast(given.delay ?? JOB_DEFAULTS.delay, `${what}: delay`, 0)
  if (delay > 0) stored.delay = delay
  return { jobId, delay, stored }
}

/** The `opts` a job put without options stores. */
function storedDefaults(): Record<string, unknown> {
  const { attempts, removeOnComplete, removeOnFail } = JOB_DEFAULTS
  return { attempts, removeOnComplete, removeOnFail }
}

/** INVALID_NAME unless `id` could be a job id of the caller's choosing. */
export function checkJobId(id: unknown, what = 'job id'): string {
  if (typeof id !== 'string' || !JOB_ID.test(id) || /^\d+$/.test(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id) : `a ${typeof id}`
    throw new RedprocError(
      'INVALID_NAME',
      `${what} ${shown} is invalid: use 1-200 letters, digits or . _ -, starting with a letter or digit, not only digits`,
    )
  }
  return id
}

/** INVALID_NAME unless `id` could name a job at all: the queue's numbers or a caller's id. */
export function checkJobLookupId(id: unknown): string {
  if (typeof id === 'string' && /^[1-9]\d{0,15}$/.test(id)) return id
  return checkJobId(id)
}

function checkBackoff(backoff: unknown, what: string): unknown {
  if (typeof backoff === 'number') return atLeast(backoff, what, 0)
  if (typeof backoff !== 'object' || backoff === null) {
    throw new RedprocTypeError(`${what} must be ms or { type: 'fixed' | 'exponential', delay }`)
  }
  const { type, delay, ...rest } = backoff as { type?: unknown; delay?: unknown }
  if (Object.keys(rest).length > 0) {
    throw new RedprocTypeError(
      `${what}: unknown key '${Object.keys(rest)[0]}' (known: type, delay)`,
    )
  }
  if (type !== 'fixed' && type !== 'exponential') {
    throw new ValueError(`${what}.type must be 'fixed' or 'exponential', not ${String(type)}`)
  }
  return { type, delay: atLeast(delay ?? 0, `${what}.delay`, 0) }
}

function checkKeep(keep: unknown, what: string): unknown {
  if (typeof keep === 'boolean') return keep
  if (typeof keep === 'number') return atLeast(keep, what, 0)
  if (typeof keep !== 'object' || keep === null) {
    throw new RedprocTypeError(`${what} must be a boolean, a count or { age, count }`)
  }
  const { age, count, ...rest } = keep as KeepJobs
  if (Object.keys(rest).length > 0) {
    throw new RedprocTypeError(`${what}: unknown key '${Object.keys(rest)[0]}' (known: age, count)`)
  }
  const checked: KeepJobs = {}
  if (age !== undefined) checked.age = atLeast(age, `${what}.age`, 1)
  if (count !== undefined) checked.count = atLeast(count, `${what}.count`, 0)
  return checked
}

function atLeast(value: unknown, what: string, min: number): number {
  const n = checkIndex(value, what)
  if (n < min) throw new ValueError(`${what} must be at least ${min}, not ${n}`)
  return n
}

/** Checks a job and encodes it for the put script: NOT_SERIALIZABLE, TYPE_ERROR … before any write. */
export function prepareJob(job: NewJob, what: string): PreparedJob {
  if (typeof job !== 'object' || job === null || !('data' in job)) {
    throw new RedprocTypeError(`${what} must be an object like { data, opts }`)
  }
  const name = job.name ?? 'item'
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new RedprocTypeError(`${what}.name must be a string of 1 to 200 characters`)
  }
  const text = encode(job.data, `${what}.data`)
  const { jobId, delay, stored } = checkJobOptions(job.opts, `${what}.opts`)
  return { name, text, opts: JSON.stringify(stored), jobId, delay }
}
