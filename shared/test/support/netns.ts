/**
 * Consumer "hosts" on this machine: each a network namespace of its own,
 * joined to the root namespace by a veth pair that adds latency (`tc netem`,
 * or a delaying relay where the kernel lacks netem), so a process started
 * inside reaches Redis over a link that can be slowed or cut, as a consumer
 * on another machine would. Needs root and iproute2. Names carry this process's pid (`rpn<pid>…`), so parallel runs do
 * not meet, and the leftovers of a run that died are removed by the next.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import type { Redis } from 'ioredis'
import { startDelayRelay } from './delay-relay.js'

const FAMILY = 'rpn'
/** Networks this process made and has not removed: never stale. */
const ours = new Set<string>()
let made = 0

export interface ConsumerHost {
  /** The network namespace. */
  readonly name: string
  /** Where a process inside reaches Redis: over the link, never the loopback. */
  readonly redisUrl: string
  /** `command` run inside the namespace. */
  exec(command: string[]): string[]
  /** Takes the link down, as a cut cable: connections stay open, nothing passes. */
  cut(): void
  /** Brings the link back up. */
  restore(): void
}

export interface HostNetwork {
  readonly hosts: ConsumerHost[]
  /**
   * How the latency is added: 'netem' (`tc qdisc … netem delay` on each
   * host's end of its link, Redis bound on the other end), or 'relay' where
   * the kernel has no netem (a relay on the root end of each link holds what
   * the host sends, then forwards it to Redis).
   */
  readonly latency: 'netem' | 'relay'
  /** Removes the namespaces, their links and relays, and Redis's extra binds. Safe to call twice. */
  remove(): Promise<void>
}

/** The Redis the hosts reach: its port and an administrative client on the loopback. */
export interface HostedRedis {
  port: number
  admin: Redis
}

/** Why namespaces cannot be made here (not root, no iproute2), or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'consumer hosts need root for `ip netns` (not root here)'
  const probe = `${FAMILY}${process.pid}p0`
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (added.error || added.status !== 0)
    return `consumer hosts need \`ip netns\`: ${added.error?.message ?? added.stderr.trim()}`
  try {
    const tc = spawnSync('ip', ['netns', 'exec', probe, 'tc', 'qdisc', 'show'], {
      encoding: 'utf8',
    })
    if (tc.status !== 0) return `consumer hosts need \`tc\` (iproute2): ${tc.stderr.trim()}`
  } finally {
    spawnSync('ip', ['netns', 'del', probe])
  }
  return undefined
}

/**
 * Makes `count` consumer hosts reaching `redis` over their own link, each
 * adding `delayMs` to every round trip (the host's packets wait that long on
 * their way out). Removes what a dead run of the same family left first.
 */
export async function makeHosts(
  count: number,
  delayMs: number,
  redis: HostedRedis,
): Promise<HostNetwork> {
  removeStale()
  const prefix = `${FAMILY}${process.pid}${String.fromCharCode(97 + (made++ % 26))}`
  const subnet = freeSubnet()
  ours.add(prefix)
  const names: string[] = []
  const relays: Array<{ close(): Promise<void> }> = []
  let bound: string | undefined
  const removeNamespaces = () => {
    for (const name of names.splice(0)) spawnSync('ip', ['netns', 'del', name])
    ours.delete(prefix)
  }
  // A process that ends without its cleanups (a crash, a timeout) still removes the namespaces.
  process.once('exit', removeNamespaces)
  const remove = async () => {
    process.off('exit', removeNamespaces)
    await Promise.all(relays.splice(0).map((relay) => relay.close()))
    if (bound !== undefined) await redis.admin.config('SET', 'bind', bound).catch(() => {})
    bound = undefined
    removeNamespaces()
  }
  try {
    const latency = netemWorks() ? 'netem' : 'relay'
    const hosts: ConsumerHost[] = []
    for (let i = 0; i < count; i++) {
      const name = `${prefix}${i}`
      names.push(name)
      hosts.push(makeHost(name, `${prefix}h${i}`, `${prefix}n${i}`, subnet, i, redis.port))
    }
    const addresses = hosts.map((host) => new URL(host.redisUrl).hostname)
    if (latency === 'netem') {
      hosts.forEach((host, i) => {
        const delay = ['netem', 'delay', `${delayMs}ms`]
        ip(...host.exec(['tc', 'qdisc', 'add', 'dev', `${prefix}n${i}`, 'root', ...delay]).slice(1))
      })
      const [, current] = (await redis.admin.config('GET', 'bind')) as [string, string]
      await redis.admin.config('SET', 'bind', [current, ...addresses].join(' '))
      bound = current
    } else {
      const target = { host: '127.0.0.1', port: redis.port }
      for (const host of addresses)
        relays.push(await startDelayRelay({ host, port: redis.port }, target, delayMs))
    }
    return { hosts, latency, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

function makeHost(
  name: string,
  outer: string,
  inner: string,
  subnet: string,
  index: number,
  redisPort: number,
): ConsumerHost {
  const rootEnd = `${subnet}.${4 * index + 1}`
  const inside = (...command: string[]) => ['netns', 'exec', name, ...command]
  ip('netns', 'add', name)
  ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', name)
  ip('addr', 'add', `${rootEnd}/30`, 'dev', outer)
  ip('link', 'set', outer, 'up')
  ip(...inside('ip', 'link', 'set', 'lo', 'up'))
  ip(...inside('ip', 'addr', 'add', `${subnet}.${4 * index + 2}/30`, 'dev', inner))
  ip(...inside('ip', 'link', 'set', inner, 'up'))
  return {
    name,
    redisUrl: `redis://${rootEnd}:${redisPort}`,
    exec: (command) => ['ip', ...inside(...command)],
    cut: () => ip('link', 'set', outer, 'down'),
    restore: () => ip('link', 'set', outer, 'up'),
  }
}

/** Whether this kernel has netem (some are built without it). */
function netemWorks(): boolean {
  const probe = `${FAMILY}${process.pid}p0`
  spawnSync('ip', ['netns', 'add', probe])
  try {
    const added = spawnSync('ip', [
      'netns',
      'exec',
      probe,
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'netem',
      'delay',
      '1ms',
    ])
    return added.status === 0
  } finally {
    spawnSync('ip', ['netns', 'del', probe])
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Namespaces of the family left by a process that is gone, or by this one and not ours now. */
function removeStale(): void {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? ''
  for (const line of listed.split('\n')) {
    const match = new RegExp(`^((${FAMILY}(\\d+)[a-z])\\d+)\\b`).exec(line)
    if (!match || ours.has(match[2] as string)) continue
    const pid = Number(match[3])
    if (pid === process.pid || !alive(pid)) spawnSync('ip', ['netns', 'del', match[1] as string])
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A /24 of 10/8 chosen by pid, moved on while an address of this machine is in it. */
function freeSubnet(): string {
  const used = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' })
  for (let step = 0; step < 256; step++) {
    const n = (process.pid + step * 7919) & 0xffff
    const subnet = `10.${n >> 8}.${n & 0xff}`
    if (!used.includes(` ${subnet}.`)) return subnet
  }
  throw new Error('no free /24 in 10.0.0.0/8 for the consumer hosts')
}
