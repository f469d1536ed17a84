/**
 * What the soak watches, sampled every period: the resident memory of each
 * of its processes, Redis's memory, keys and clients, and the loops' running
 * totals; each sample is printed as one progress line.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { info } from '../private-redis.js'
import { processMemoryKb } from '../services.js'
import { KINDS, type Kind, type Tally } from './traffic.js'

const KEY_READS = 5
const KEY_READ_GAP_MS = 100

export interface WatchedProcess {
  label: string
  pid: number
}

export interface Sample {
  /** Ms since the traffic started. */
  atMs: number
  /** Operations so far, by kind. */
  ops: Record<Kind, number>
  errors: number
  /** The resident set (VmRSS) of each process, in MB. */
  rssMb: Record<string, number>
  /** `keys`: DBSIZE, the fewest of a few reads; `clients`: connected, the sampler's own not counted. */
  redis: { usedMemoryMb: number; keys: number; clients: number }
}

export async function takeSample(
  atMs: number,
  tally: Tally,
  processes: WatchedProcess[],
  admin: Redis,
): Promise<Sample> {
  const ops = { ...tally.ops }
  const errors = tally.errorCount
  const rssMb = Object.fromEntries(
    processes.map(({ label, pid }) => [
      label,
      round((processMemoryKb(pid, 'VmRSS') ?? 0) / 1024, 1),
    ]),
  )
  const [memory, clients] = await Promise.all([info(admin, 'memory'), info(admin, 'clients')])
  return {
    atMs: Math.round(atMs),
    ops,
    errors,
    rssMb,
    redis: {
      usedMemoryMb: round(Number(memory.used_memory) / 2 ** 20, 3),
      keys: await lastingKeys(admin),
      // The administrative client that asks is not counted.
      clients: Number(clients.connected_clients) - 1,
    },
  }
}

/**
 * The fewest keys of a few reads 100 ms apart: the jobs and pool chunks in
 * flight at one instant come and go (up to ~40 keys), what stays is what a
 * leak would add to.
 */
async function lastingKeys(admin: Redis): Promise<number> {
  let fewest = await admin.dbsize()
  for (let read = 1; read < KEY_READS; read++) {
    await sleep(KEY_READ_GAP_MS)
    fewest = Math.min(fewest, await admin.dbsize())
  }
  return fewest
}

/** Every key, counted by shape (long hex ids as `<id>`, numbers as `N`): what grew, when keys did. */
export async function keyShapes(admin: Redis): Promise<Record<string, number>> {
  const shapes: Record<string, number> = {}
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const shape = key.replace(/[0-9a-f]{8,}/g, '<id>').replace(/\d+/g, 'N')
      shapes[shape] = (shapes[shape] ?? 0) + 1
    }
  } while (cursor !== '0')
  return shapes
}

/** One line for stderr: the rates since `previous`, then memory now. */
export function progressLine(previous: Sample, current: Sample): string {
  const seconds = (current.atMs - previous.atMs) / 1000
  const rates = KINDS.map(
    (kind) => `${kind} ${Math.round((current.ops[kind] - previous.ops[kind]) / seconds)}`,
  ).join(' ')
  const rss = Object.entries(current.rssMb)
    .map(([label, mb]) => `${label} ${mb.toFixed(0)}`)
    .join(' ')
  const { usedMemoryMb, keys, clients } = current.redis
  return `[soak] ${clock(current.atMs)}  ops/s ${rates} | RSS MB ${rss} | redis ${usedMemoryMb.toFixed(2)} MB, ${keys} keys, ${clients} clients | errors ${current.errors}`
}

/** `m:ss` */
export function clock(ms: number): string {
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
