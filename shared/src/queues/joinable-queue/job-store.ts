import { decode, decodeOptional, encode, type Json } from '../../codec.js'
import type { Scope } from '../../redis/scope.js'
import { Script } from '../../redis/script.js'
import type { BullmqLayout } from './bullmq-layout.js'
import { type FinishArgs, FinishCoalescer } from './finish-coalescer.js'
import type { FinishedAs, Taken } from './items.js'
import type { Exchange } from './job-scripts.js'

const putJobsScript = new Script<string[]>('joinable-queue-put-jobs')
const jobScript = new Script<string[] | null>('joinable-queue-job')
const finishScript = new Script<FinishedAs[]>('joinable-queue-finish')
const promoteScript = new Script<number>('joinable-queue-promote')

/** Where a job is, in BullMQ's words. */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed'

/** How a task failed: the code, and the message and stack of the worker that ran it. */
export interface JobError {
  code: string
  message: string
  stack?: string
}

/** One job, as `getJob` reads it. */
export interface JobInfo {
  id: string
  /** BullMQ's job name: the task of a job put over HTTP, 'item' for queue items. */
  name: string
  state: JobState
  data: Json
  /** What the task returned, once completed. */
  result?: Json
  /** Why the last attempt failed: set once failed, and while a failed job waits for a retry. */
  error?: JobError
  /** Runs started and finished (BullMQ's attemptsStarted and attemptsMade). */
  attemptsStarted: number
  attemptsMade: number
  /** Runs allowed in all. */
  attempts: number
  /** When the job was put, started last, and finished, in ms since the epoch. */
  timestamp: number
  processedOn?: number
  finishedOn?: number
}

/** What a consumer reports of a job it ran. */
export type JobOutcome = { ok: true; result: Json } | { ok: false; error: JobError }

export type { FinishedAs }

/** The upper bounds, in ms, of the buckets finished runs are counted in (as Prometheus's `le`). */
export const RUN_TIME_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 60_000]
const RUN_TIME_BOUNDS = RUN_TIME_BOUNDS_MS.join(',')

/** How many jobs of a queue are where, and how many join() still waits for. */
export interface JobCounts {
  waiting: number
  active: number
  delayed: number
  /** Kept in the completed set now: retention (removeOnComplete) removes jobs from it. */
  completed: number
  /** Kept in the failed set now. */
  failed: number
  /**
   * Every job completed or acknowledged, and failed for good, since the queue
   * was made, whatever retention removed: the counters rates are read from.
   */
  totals: { completed: number; failed: number }
  /**
   * Runs of tasks that finished (by `serve()`, pools and the consumer
   * service; a plain `taskDone()` has no run time): `buckets[i]` ran at most
   * `RUN_TIME_BOUNDS_MS[i]` ms (the last entry longer), and all took `totalMs`.
   */
  runTimes: { buckets: number[]; totalMs: number }
  /** Put and not yet finished or acknowledged: what join() waits on. */
  unfinished: number
  shutdown: 'graceful' | 'immediate' | null
}

/** One job to put: its BullMQ name, JSON text, stored opts, chosen id and delay. */
export interface PreparedJob {
  name: string
  text: string
  opts: string
  jobId: string | undefined
  delay: number
}

/** What a put gave each job: its id, and whether it is new or existed already. */
export interface PutJobResult {
  id: string
  created: boolean
}

/** Jobs per script call: big enough to batch, small enough not to stall Redis. */
const PUT_CHUNK = 1000

/** Delayed jobs promoted per call. */
const PROMOTE_BATCH = 1000

/**
 * The scripts that treat a joinable queue's items as jobs with ids, options
 * and outcomes, as BullMQ does: put with ids, look up by id, finish with a
 * result or an error (retries included), promote delayed jobs, count.
 */
export class JobStore {
  constructor(
    private readonly call: Exchange,
    private readonly layout: BullmqLayout,
    /** The state hash: unfinished, maxsize, shutdown. */
    private readonly state: string,
    /** Where scripts publish 'join' and 'room'. */
    private readonly signals: string,
    /** Where the id of a finished job is published, when someone waits for it. */
    readonly finished: string,
    /** The context the finishes of this process to this queue are sent together in. */
    private readonly mp: Scope,
  ) {}

  /**
   * Puts `jobs` in order. A batch that takes several calls is checked whole
   * first, so a conflicting id refuses all of it rather than its tail.
   */
  async put(jobs: PreparedJob[], keepEvents: number): Promise<PutJobResult[]> {
    const chunks: PreparedJob[][] = []
    for (let from = 0; from < jobs.length; from += PUT_CHUNK) {
      chunks.push(jobs.slice(from, from + PUT_CHUNK))
    }
    if (chunks.length > 1 && jobs.some((job) => job.jobId !== undefined)) {
      for (const chunk of chunks) await this.runPut(chunk, keepEvents, 'check')
    }
    const results: PutJobResult[] = []
    for (const chunk of chunks) {
      const flat = await this.runPut(chunk, keepEvents, 'put')
      for (let i = 0; i + 1 < flat.length; i += 2) {
        results.push({ id: String(flat[i]), created: Number(flat[i + 1]) === 1 })
      }
    }
    return results
  }

  /** The job `id`, or undefined; `flagWaiter` asks to be told on the finished channel when it ends. */
  async read(id: string, flagWaiter: boolean): Promise<JobInfo | undefined> {
    const { keys, jobKeyPrefix } = this.layout
    const reply = await this.call((redis) =>
      jobScript.run(
        redis,
        [jobKeyPrefix + id, keys.active, keys.delayed, keys.completed, keys.failed],
        [id, flagWaiter ? '1' : '0'],
      ),
    )
    if (!reply) return undefined
    const [state, ...flat] = reply
    const hash = new Map<string, string>()
    for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i] as string, flat[i + 1] as string)
    return jobInfo(id, state as JobState, hash)
  }

  /**
   * Finishes the job `taken` with `outcome`; `keepByDefault` finished jobs are
   * kept when its options do not say. Sent with the other finishes of the
   * moment to the same queue from this process.
   */
  finish(taken: Taken, outcome: JobOutcome, keepByDefault: number): Promise<FinishedAs> {
    const args: FinishArgs = outcome.ok
      ? [
          taken.id,
          taken.token,
          'completed',
          encode(outcome.result, 'the result'),
          '',
          '',
          keepByDefault,
        ]
      : [
          taken.id,
          taken.token,
          'failed',
          outcome.error.message,
          outcome.error.code,
          outcome.error.stack ?? '',
          keepByDefault,
        ]
    return FinishCoalescer.of(this.mp, this.state, (jobs) => this.runFinish(jobs)).add(args)
  }

  /** Moves due delayed jobs to wait; resolves with when the next is due (ms since the epoch), if any. */
  async promote(): Promise<number | undefined> {
    const { keys, jobKeyPrefix } = this.layout
    const next = await this.call((redis) =>
      promoteScript.run(
        redis,
        [keys.delayed, keys.wait, keys.marker, keys.events, keys.meta],
        [jobKeyPrefix, Date.now(), PROMOTE_BATCH],
      ),
    )
    return next < 0 ? undefined : next
  }

  async counts(): Promise<JobCounts> {
    const { keys } = this.layout
    const replies = await this.call((redis) =>
      redis
        .pipeline()
        .llen(keys.wait)
        .llen(keys.active)
        .zcard(keys.delayed)
        .zcard(keys.completed)
        .zcard(keys.failed)
        .hgetall(this.state)
        .exec(),
    )
    const values = (replies ?? []).map(([error, value]) => {
      if (error) throw error
      return value
    })
    const state = values[5] as Record<string, string>
    const count = (field: string) => Number(state[field] ?? 0)
    return {
      waiting: values[0] as number,
      active: values[1] as number,
      delayed: values[2] as number,
      completed: values[3] as number,
      failed: values[4] as number,
      unfinished: count('unfinished'),
      shutdown: (state.shutdown as JobCounts['shutdown']) ?? null,
      totals: { completed: count('completed'), failed: count('failed') },
      runTimes: {
        buckets: [...RUN_TIME_BOUNDS_MS.map((bound) => count(`ms<=${bound}`)), count('ms<=inf')],
        totalMs: count('ms'),
      },
    }
  }

  private runFinish(jobs: FinishArgs[]): Promise<FinishedAs[]> {
    const { keys, jobKeyPrefix } = this.layout
    const args: Array<string | number> = [
      jobKeyPrefix,
      Date.now(),
      this.signals,
      this.finished,
      RUN_TIME_BOUNDS,
    ]
    for (const job of jobs) args.push(...job)
    return this.call((redis) =>
      finishScript.run(
        redis,
        [
          this.state,
          keys.active,
          keys.stalled,
          keys.wait,
          keys.delayed,
          keys.completed,
          keys.failed,
          keys.events,
          keys.marker,
          keys.meta,
        ],
        args,
      ),
    )
  }

  private runPut(jobs: PreparedJob[], keepEvents: number, mode: 'check' | 'put') {
    const { keys, jobKeyPrefix } = this.layout
    return this.call((redis) =>
      putJobsScript.run(
        redis,
        [this.state, keys.wait, keys.meta, keys.id, keys.events, keys.marker, keys.delayed],
        [
          jobKeyPrefix,
          Date.now(),
          keepEvents,
          mode,
          ...jobs.flatMap((job) => [job.jobId ?? '', job.name, job.text, job.opts, job.delay]),
        ],
      ),
    )
  }
}

function jobInfo(id: string, state: JobState, hash: Map<string, string>): JobInfo {
  const where = `job ${id}`
  const number = (field: string) => {
    const value = hash.get(field)
    return value === undefined ? undefined : Number(value)
  }
  const opts = decodeOptional(hash.get('opts') ?? null, where) as { attempts?: number } | undefined
  const info: JobInfo = {
    id,
    name: hash.get('name') ?? 'item',
    state,
    data: decode(hash.get('data') ?? 'null', where),
    attemptsStarted: number('ats') ?? 0,
    attemptsMade: number('atm') ?? 0,
    attempts: Math.max(1, opts?.attempts ?? 1),
    timestamp: number('timestamp') ?? 0,
  }
  const processedOn = number('processedOn')
  if (processedOn !== undefined) info.processedOn = processedOn
  const finishedOn = number('finishedOn')
  if (finishedOn !== undefined) info.finishedOn = finishedOn
  if (state === 'completed') info.result = decode(hash.get('returnvalue') ?? 'null', where)
  const failedReason = hash.get('failedReason')
  if (failedReason !== undefined && state !== 'completed') {
    const traces = decodeOptional(hash.get('stacktrace') ?? null, where)
    const stack = Array.isArray(traces) ? traces.at(-1) : undefined
    info.error = {
      code: hash.get('rpcode') || 'REMOTE_TASK_FAILED',
      message: failedReason,
      ...(typeof stack === 'string' ? { stack } : {}),
    }
  }
  return info
}
