/**
 * Workload 5: a lock, uncontended and handed between two processes.
 *
 * - uncontended: one caller acquires and releases N times in a row.
 * - hand-off: two processes on this machine take turns; the holder releases
 *   once the other is blocked in acquire() (1 ms plus a random fraction of the
 *   pollers' retry period after it said it would call it, so that period is
 *   sampled evenly), and the
 *   latency is the time from release() in one process to acquire() returning
 *   in the other, on a clock both share.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  type BenchLock,
  handOffActor,
  LOCK_CONTENDERS,
  type LockContender,
  openLock,
  type PeerCommand,
  type PeerReply,
  RETRY_MS,
} from '../children/lock-contenders.js'
import { tsChild } from '../processes.js'
import { percentile, perSecond } from '../stats.js'
import type { BenchEnv, Contender, Workload } from '../workload.js'

/** Hand-offs per run (each way half of them). */
const HANDOFFS = 1000
const QUICK_HANDOFFS = 200

const NOTES: Record<LockContender, string> = {
  redproc: '`mp.lock(name)`: acquire() blocks in BLPOP and is woken by release()',
  redlock: `redlock 4 on one Redis, retrying every ${RETRY_MS} ms (retryJitter 0)`,
  'redis-semaphore': `\`Mutex\`, retrying every ${RETRY_MS} ms (its default)`,
}

export const locks: Workload = {
  id: 'locks',
  title: 'Locks',
  description: `Uncontended: N acquire+release pairs by one awaited caller. Hand-off: ${HANDOFFS} hand-offs between two processes (${QUICK_HANDOFFS} with --quick), from release() in the holder to acquire() returning in the waiter, which was already blocked.`,
  metrics: [
    { key: 'uncontended', label: 'uncontended acquire+release', unit: 'ops/s', better: 'higher' },
    { key: 'handoffP50', label: 'hand-off p50', unit: 'ms', better: 'lower' },
    { key: 'handoffP99', label: 'hand-off p99', unit: 'ms', better: 'lower' },
  ],
  contenders: LOCK_CONTENDERS.map(
    (name): Contender => ({ name, note: NOTES[name], run: (env) => measure(name, env) }),
  ),
}

export const locksWorkloads: Workload[] = [locks]

async function measure(contender: LockContender, env: BenchEnv): Promise<Record<string, number>> {
  const lock = await openLock(contender, env.redisUrl, env.runId)
  try {
    const started = performance.now()
    for (let i = 0; i < env.n; i++) {
      await lock.acquire()
      await lock.release()
    }
    const uncontended = perSecond(env.n, performance.now() - started)
    const latencies = await handOffs(contender, env, lock, env.quick ? QUICK_HANDOFFS : HANDOFFS)
    return {
      uncontended,
      handoffP50: percentile(latencies, 50),
      handoffP99: percentile(latencies, 99),
    }
  } finally {
    await lock.close()
  }
}

/** Plays `count` hand-offs between this process and a peer; returns each one's latency, ms. */
async function handOffs(
  contender: LockContender,
  env: BenchEnv,
  lock: BenchLock,
  count: number,
): Promise<number[]> {
  const peer = new Peer(contender, env)
  try {
    await peer.next('ready')
    const local = new Mailbox()
    const here = handOffActor(lock, (message) => local.deliver(message))
    const there = (command: PeerCommand) => peer.send(command)
    await lock.acquire()
    const latencies: number[] = []
    for (let i = 0; i < count; i++) {
      // Even hand-offs go from here to the peer, odd ones back.
      const [holder, holderBox, waiter, waiterBox] =
        i % 2 === 0 ? [here, local, there, peer] : [there, peer, here, local]
      waiter({ type: 'wait', i })
      await waiterBox.next('waiting')
      await sleep(1 + Math.random() * RETRY_MS)
      holder({ type: 'release', i })
      const [released, acquired] = await Promise.all([
        holderBox.next('released'),
        waiterBox.next('acquired'),
      ])
      latencies.push(acquired.at - released.at)
    }
    // The last hand-off was even when count is odd: whoever holds it now gives it back.
    if (count % 2 === 1) {
      there({ type: 'release', i: count })
      await peer.next('released')
    } else {
      await lock.release()
    }
    return latencies
  } finally {
    peer.stop()
  }
}

type Reply<T extends PeerReply['type']> = Extract<PeerReply, { type: T }>

/** Replies of one actor, taken in order by type; a failure rejects every later take. */
class Mailbox {
  private readonly queued: PeerReply[] = []
  private readonly takers: Array<{ type: string; resolve: (m: PeerReply) => void }> = []
  private failure: Error | undefined
  private readonly rejecters = new Set<(error: Error) => void>()

  deliver(message: PeerReply): void {
    if (message.type === 'failed') {
      this.fail(new Error(message.message))
      return
    }
    const index = this.takers.findIndex((taker) => taker.type === message.type)
    if (index >= 0) this.takers.splice(index, 1)[0]?.resolve(message)
    else this.queued.push(message)
  }

  fail(error: Error): void {
    this.failure ??= error
    for (const reject of this.rejecters) reject(error)
  }

  next<T extends PeerReply['type']>(type: T, timeoutMs = 60_000): Promise<Reply<T>> {
    if (this.failure) return Promise.reject(this.failure)
    const index = this.queued.findIndex((message) => message.type === type)
    if (index >= 0) return Promise.resolve(this.queued.splice(index, 1)[0] as Reply<T>)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`no '${type}' within ${timeoutMs} ms`)),
        timeoutMs,
      )
      const taker = { type, resolve: (message: PeerReply) => done(undefined, message) }
      const done = (error?: Error, message?: PeerReply) => {
        clearTimeout(timer)
        this.rejecters.delete(onFailure)
        const at = this.takers.indexOf(taker)
        if (at >= 0) this.takers.splice(at, 1)
        if (error) reject(error)
        else resolve(message as Reply<T>)
      }
      const onFailure = (error: Error) => done(error)
      this.rejecters.add(onFailure)
      this.takers.push(taker)
    })
  }
}

/** The peer process: children/lock-peer.ts, compiled, run by plain node, over IPC. */
class Peer extends Mailbox {
  private readonly child: ChildProcess

  constructor(contender: LockContender, env: BenchEnv) {
    super()
    const [file, ...args] = tsChild('lock-peer', {
      contender,
      redis: env.redisUrl,
      run: env.runId,
    }) as [string, ...string[]]
    this.child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    let stderr = ''
    this.child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    this.child.on('message', (message: PeerReply) => this.deliver(message))
    this.child.once('exit', (code, signal) => {
      this.fail(
        new Error(`the ${contender} hand-off peer exited with ${code ?? signal}: ${stderr}`),
      )
    })
  }

  send(command: PeerCommand): void {
    this.child.send(command)
  }

  /** It closes its lock and exits once disconnected; it must not outlive the run either way. */
  stop(): void {
    if (this.child.connected) this.child.disconnect()
    setTimeout(() => this.child.kill('SIGKILL'), 5_000).unref()
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
