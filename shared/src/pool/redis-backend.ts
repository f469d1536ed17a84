import { randomBytes } from 'node:crypto'
import { silentLogger } from '../logger.js'
import { JoinableQueue } from '../queues/joinable-queue/joinable-queue.js'
import { listWorkers } from '../queues/workers.js'
import { type RedisClient, translateRedisError } from '../redis/client.js'
import type { Scope } from '../redis/scope.js'
import type { PoolBackend } from './backend.js'
import {
  type ChunkOutcome,
  type ChunkRequest,
  dropReplies,
  markTerminated,
  type PoolJob,
  takeReplies,
} from './wire.js'

/** Replies taken from Redis per round trip. */
const REPLY_BATCH = 256

/** How long the summed concurrency of the workers is reused before it is read again. */
const CAPACITY_TTL_MS = 1000

/** How long chunks wait with no live worker on the queue before the pool warns, once. */
export const NO_WORKER_WARNING_MS = 3000

interface Waiting {
  resolve(outcome: ChunkOutcome): void
  reject(error: unknown): void
}

/**
 * Runs chunks in `serve` processes on any machine: each chunk is an item of a
 * joinable queue, and its result comes back on a reply list of this pool's own,
 * read by one blocking client.
 */
export class RedisBackend implements PoolBackend {
  private readonly mp: Scope
  private readonly queueName: string
  private readonly id = `pool-${randomBytes(6).toString('hex')}`
  private readonly waiting = new Map<number, Waiting>()
  private queue: JoinableQueue<PoolJob> | undefined
  /** Chunks submitted in this turn of the event loop, put together at its end. */
  private unsent: PoolJob[] = []
  private knownCapacity: { workers: number; at: number } | undefined
  private replies: Promise<RedisClient> | undefined
  private nextChunk = 0
  private listening = false
  private closed = false
  /** Looks for live workers while chunks wait, until it has warned that there are none. */
  private watch: NodeJS.Timeout | undefined
  private warned = false

  constructor(mp: Scope, queue: string) {
    this.mp = mp
    this.queueName = queue
  }

  /**
   * The concurrency of every live worker on the queue, or 1 before any has
   * started; read again after a second, not for every call.
   */
  async capacity(): Promise<number> {
    const known = this.knownCapacity
    if (known && performance.now() - known.at < CAPACITY_TTL_MS) return known.workers
    const workers = await listWorkers(this.mp, this.queueName)
    const total = workers.reduce((sum, worker) => sum + worker.concurrency, 0)
    this.knownCapacity = total > 0 ? { workers: total, at: performance.now() } : undefined
    return Math.max(1, total)
  }

  async run(request: ChunkRequest, signal: AbortSignal): Promise<ChunkOutcome> {
    signal.throwIfAborted()
    const chunk = this.nextChunk++
    const cancelled = () => this.waiting.get(chunk)?.reject(signal.reason)
    signal.addEventListener('abort', cancelled, { once: true })
    const outcome = new Promise<ChunkOutcome>((resolve, reject) => {
      this.waiting.set(chunk, { resolve, reject })
    })
    this.send({ ...request, pool: this.id, chunk })
    this.listen()
    this.watchForWorkers()
    return outcome.finally(() => {
      this.waiting.delete(chunk)
      signal.removeEventListener('abort', cancelled)
    })
  }

  /** `queue 'tasks' in namespace 'app', 2 live workers` */
  async describe(): Promise<string> {
    const workers = await listWorkers(this.mp, this.queueName)
    const live = `${workers.length} live worker${workers.length === 1 ? '' : 's'}`
    return `${this.where()}, ${live}`
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.watch)
    const replies = await this.replies?.catch(() => undefined)
    replies?.disconnect()
    await this.queue?.close()
    await dropReplies(this.mp, this.id)
  }

  /** Marks the pool terminated, so workers skip its chunks that have not started. */
  async terminate(): Promise<void> {
    await markTerminated(this.mp, this.id)
    await this.close()
  }

  private where(): string {
    return `queue '${this.queueName}' in namespace '${this.mp.options.namespace}'`
  }

  /**
   * A pool whose queue nobody serves waits, as a BullMQ queue waits for its
   * workers; after NO_WORKER_WARNING_MS of that it says so, once, through the
   * logger, or on stderr (as a process warning) when there is none.
   */
  private watchForWorkers(): void {
    if (this.warned || this.watch || this.closed) return
    this.watch = setTimeout(async () => {
      this.watch = undefined
      if (this.closed || this.waiting.size === 0) return
      const workers = await listWorkers(this.mp, this.queueName).catch(() => undefined)
      if (workers?.length === 0 && this.waiting.size > 0 && !this.closed) this.warn()
      else this.watchForWorkers()
    }, NO_WORKER_WARNING_MS)
    this.watch.unref()
  }

  private warn(): void {
    this.warned = true
    const message =
      `pool on ${this.where()}: ${this.waiting.size} chunk(s) wait, and no live worker serves ` +
      `the queue; start one with serve(mp, { queue: '${this.queueName}', tasks }) or the consumer service`
    const { logger } = this.mp.options
    if (logger === silentLogger) process.emitWarning(message, { code: 'REDPROC_NO_WORKER' })
    else logger.warn({ queue: this.queueName, namespace: this.mp.options.namespace }, message)
  }

  /**
   * Queues a chunk to be put with the others submitted in the same turn: a
   * map's first window of chunks is one round trip, not one per chunk.
   */
  private send(job: PoolJob): void {
    this.unsent.push(job)
    if (this.unsent.length > 1) return
    queueMicrotask(() => {
      const jobs = this.unsent
      this.unsent = []
      this.queue ??= new JoinableQueue<PoolJob>(this.mp, this.queueName)
      this.queue.putMany(jobs).catch((error: unknown) => {
        for (const job of jobs) this.waiting.get(job.chunk)?.reject(error)
      })
    })
  }

  /** Reads replies while chunks are out: one loop per pool, started again when work comes back. */
  private listen(): void {
    if (this.listening || this.closed) return
    this.listening = true
    this.replies ??= this.mp.openBlockingClient()
    this.readReplies(this.replies).then(
      () => {
        this.listening = false
        if (this.waiting.size > 0) this.listen()
      },
      (error: unknown) => {
        this.listening = false
        for (const waiting of this.waiting.values()) waiting.reject(translateRedisError(error))
      },
    )
  }

  private async readReplies(replies: Promise<RedisClient>): Promise<void> {
    const client = await replies
    while (!this.closed && this.waiting.size > 0) {
      for (const reply of await takeReplies(this.mp, client, this.id, REPLY_BATCH)) {
        // A chunk delivered twice (at-least-once) is answered twice: the first answer wins.
        this.waiting.get(reply.chunk)?.resolve(reply.outcome)
      }
    }
  }
}
