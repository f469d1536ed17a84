import { RedprocError } from '../errors.js'

/** The prefix of every key redproc writes. */
export const KEY_PREFIX = 'rp'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/

/** Names become part of a key and its hash tag, so they must not hold `{`, `}` or spaces. */
export function validateName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name) : `a ${typeof name}`
    throw new RedprocError(
      'INVALID_NAME',
      `${what} ${shown} is invalid: use 1-200 letters, digits or . _ : -, starting with a letter or digit`,
    )
  }
  return name
}

/**
 * The keys of one object, `(namespace, kind, name)`. All of them share the hash
 * tag `{namespace:kind:name}`, so one Lua script may touch them all on Redis
 * Cluster.
 */
export class ObjectKeys {
  /** `rp:{namespace:kind:name}`: the object's main key, and the stem of the others. */
  readonly base: string

  constructor(namespace: string, kind: string, name: string) {
    this.base = `${KEY_PREFIX}:{${namespace}:${kind}:${validateName(name)}}`
  }

  /** A further key of the same object, in the same hash slot. */
  part(suffix: string): string {
    return `${this.base}:${suffix}`
  }

  /** The `SCAN MATCH` pattern for every key of the object (names hold no glob characters). */
  get pattern(): string {
    return `${this.base}*`
  }
}

/**
 * The keys beside an object's main key, `<base>:<part>`, by kind, named here
 * once. Data already in Redis depends on these exact strings (a test pins
 * them): change one and existing objects are lost.
 */
export const KEY_PARTS = {
  queue: { items: 'items', meta: 'meta', room: 'room' },
  joinableQueue: { signals: 'signals', finished: 'finished' },
  pipe: { inbox: (end: number) => `inbox:${end}` },
  pool: { replies: 'replies', terminated: 'terminated' },
  semaphore: { holders: 'holders' },
  /** A lock's fencing counter. A lock kept inside a value, array or condition has its keys under `embedded:`. */
  lock: { embedded: 'lock', fence: 'fence' },
  /** How waiters of a lock, semaphore, condition, event or barrier are queued and woken. */
  waitQueue: { waiters: 'waiters', deadlines: 'deadlines', wakePrefix: 'wake:' },
  /** The wake list of one process's blocking pops of a list. */
  blockingPop: { wake: (id: string) => `wake:${id}` },
} as const

/**
 * The keys of a joinable queue in BullMQ's layout, `<prefix>:<queue>:<type>`,
 * as BullMQ's `QueueKeys` names them: BullMQ and bull-board read them.
 */
export const BULLMQ_KEY_TYPES = {
  wait: 'wait',
  active: 'active',
  stalled: 'stalled',
  stalledCheck: 'stalled-check',
  completed: 'completed',
  failed: 'failed',
  delayed: 'delayed',
  meta: 'meta',
  id: 'id',
  events: 'events',
  marker: 'marker',
} as const

/** A BullMQ job's lock, beside its hash `<prefix>:<queue>:<id>`. */
export const BULLMQ_JOB_LOCK = 'lock'

/** Keys of a namespace that belong to no object, `rp:{namespace:kind:name}`: their kinds and names. */
export const NAMESPACE_KEYS = {
  /** A serving process's entry: kind `worker`, named by the worker's id. */
  worker: 'worker',
  /** The live workers of one joinable queue: kind `workers`, named by the queue. */
  workersOfQueue: 'workers',
  /** The joinable queues in use: kind `registry`, name `joinable-queues`. */
  registry: { kind: 'registry', joinableQueues: 'joinable-queues' },
} as const

/** The list a blocking wait moves what it popped from `wakeKey` to, until it has the reply. */
export function receiptKey(wakeKey: string): string {
  return `${wakeKey}:got`
}

/** The `SCAN MATCH` pattern for every key of a namespace. */
export function namespacePattern(namespace: string): string {
  return `${KEY_PREFIX}:{${namespace}:*`
}

/** The `SCAN MATCH` pattern for every key of the objects of one kind in a namespace. */
export function kindPattern(namespace: string, kind: string): string {
  return `${KEY_PREFIX}:{${namespace}:${kind}:*`
}

/** The parts of a key of `namespace`: `rp:{ns:kind:name}[:suffix]`, or undefined for another key. */
export function parseKey(
  namespace: string,
  key: string,
): { kind: string; name: string; suffix: string } | undefined {
  const stem = `${KEY_PREFIX}:{${namespace}:`
  if (!key.startsWith(stem)) return undefined
  const match = /^([^:}]+):([^}]+)\}(?::(.*))?$/s.exec(key.slice(stem.length))
  if (!match) return undefined
  return { kind: match[1] as string, name: match[2] as string, suffix: match[3] ?? '' }
}
