/**
 * The three locks of the locks workload behind one small interface, used by
 * the benchmark process and by its hand-off peer (children/lock-peer.ts).
 * Polling libraries poll every 10 ms, redis-semaphore's default, so their
 * hand-off latency is what a user gets without tuning.
 */
import { createRequire } from 'node:module'
import { connect } from '@redproc/shared'
import { Redis } from 'ioredis'
import { Mutex } from 'redis-semaphore'

export const LOCK_CONTENDERS = ['redproc', 'redlock', 'redis-semaphore'] as const
export type LockContender = (typeof LOCK_CONTENDERS)[number]

/** The lease of every contender's lock, ms. */
const TTL_MS = 10_000
/** How often the polling contenders retry a taken lock, ms. */
export const RETRY_MS = 10

export interface BenchLock {
  acquire(): Promise<void>
  release(): Promise<void>
  close(): Promise<void>
}

// redlock 4 (npm's latest) ships no types: the part used here.
interface RedlockLock {
  unlock(): Promise<void>
}
interface Redlock {
  lock(resource: string, ttl: number): Promise<RedlockLock>
}
type RedlockConstructor = new (
  clients: Redis[],
  options: { retryCount: number; retryDelay: number; retryJitter: number },
) => Redlock
const RedlockClass = createRequire(import.meta.url)('redlock') as RedlockConstructor

/** A lock named after `runId`, so the run's keys are found and swept afterwards. */
export async function openLock(
  contender: LockContender,
  redisUrl: string,
  runId: string,
): Promise<BenchLock> {
  if (contender === 'redproc') {
    const mp = await connect({ redis: redisUrl, namespace: runId })
    const lock = mp.lock('bench', { ttl: TTL_MS })
    return {
      acquire: async () => {
        if (!(await lock.acquire())) throw new Error('redproc lock not acquired')
      },
      release: () => lock.release(),
      close: () => mp.close(),
    }
  }
  const redis = new Redis(redisUrl)
  await redis.ping()
  const close = async () => {
    await redis.quit()
  }
  if (contender === 'redlock') {
    const redlock = new RedlockClass([redis], {
      retryCount: -1,
      retryDelay: RETRY_MS,
      retryJitter: 0,
    })
    let held: RedlockLock | undefined
    return {
      acquire: async () => {
        held = await redlock.lock(`${runId}:lock`, TTL_MS)
      },
      release: async () => {
        await held?.unlock()
        held = undefined
      },
      close,
    }
  }
  const mutex = new Mutex(redis, `${runId}:lock`, {
    lockTimeout: TTL_MS,
    acquireTimeout: 600_000,
    retryInterval: RETRY_MS,
  })
  return { acquire: () => mutex.acquire(), release: () => mutex.release(), close }
}

/** A clock both processes of a hand-off share: wall-clock based, sub-millisecond. */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now()
}

/** Messages between the benchmark process and its hand-off peer. */
export type PeerCommand = { type: 'wait'; i: number } | { type: 'release'; i: number }
export type PeerReply =
  | { type: 'ready' }
  | { type: 'waiting'; i: number }
  | { type: 'acquired'; i: number; at: number }
  | { type: 'released'; i: number; at: number }
  | { type: 'failed'; message: string }

/**
 * One side of the hand-off game: told to wait, it says so and then blocks in
 * acquire(); told to release, it notes the time and releases.
 */
export function handOffActor(
  lock: BenchLock,
  reply: (message: PeerReply) => void,
): (command: PeerCommand) => void {
  return (command) => {
    const run = async () => {
      if (command.type === 'wait') {
        reply({ type: 'waiting', i: command.i })
        await lock.acquire()
        reply({ type: 'acquired', i: command.i, at: sharedNow() })
      } else {
        const at = sharedNow()
        await lock.release()
        reply({ type: 'released', i: command.i, at })
      }
    }
    run().catch((error: unknown) =>
      reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    )
  }
}
