import { BULLMQ_JOB_LOCK, BULLMQ_KEY_TYPES, type ObjectKeys } from '../../redis/keys.js'

/** The BullMQ keys a joinable queue's scripts touch. */
export interface BullmqKeys {
  wait: string
  active: string
  stalled: string
  /** The guard that lets one stalled-job check run per period. */
  stalledCheck: string
  completed: string
  failed: string
  delayed: string
  meta: string
  id: string
  events: string
  marker: string
}

/**
 * Where a joinable queue lives in BullMQ's terms. The prefix is the object's
 * own key stem, `rp:{namespace:joinable-queue:name}`, so every BullMQ key of
 * the queue carries the object's hash tag and one Lua script may touch them
 * all on Redis Cluster. The keys are named as BullMQ's `QueueKeys` names
 * them, `<prefix>:<queue>:<type>`, so they are exactly the ones BullMQ's own
 * classes and tools (bull-board) open; BullMQ itself is not loaded for that.
 */
export class BullmqLayout {
  /** The BullMQ queue name: the object's name, with `:` (which BullMQ refuses) as `.`. */
  readonly queueName: string
  /** The BullMQ `prefix` option. */
  readonly prefix: string
  readonly keys: BullmqKeys
  /** What a job id is appended to for the job's hash key. */
  readonly jobKeyPrefix: string

  constructor(objectKeys: ObjectKeys, name: string) {
    this.queueName = name.replaceAll(':', '.')
    this.prefix = objectKeys.base
    this.jobKeyPrefix = `${this.prefix}:${this.queueName}:`
    const key = (type: string) => `${this.jobKeyPrefix}${type}`
    this.keys = {
      wait: key(BULLMQ_KEY_TYPES.wait),
      active: key(BULLMQ_KEY_TYPES.active),
      stalled: key(BULLMQ_KEY_TYPES.stalled),
      stalledCheck: key(BULLMQ_KEY_TYPES.stalledCheck),
      completed: key(BULLMQ_KEY_TYPES.completed),
      failed: key(BULLMQ_KEY_TYPES.failed),
      delayed: key(BULLMQ_KEY_TYPES.delayed),
      meta: key(BULLMQ_KEY_TYPES.meta),
      id: key(BULLMQ_KEY_TYPES.id),
      events: key(BULLMQ_KEY_TYPES.events),
      marker: key(BULLMQ_KEY_TYPES.marker),
    }
  }

  /** The key of the lock a consumer holds on job `id` while it has it. */
  lockKey(id: string): string {
    return `${this.jobKeyPrefix}${id}:${BULLMQ_JOB_LOCK}`
  }
}
