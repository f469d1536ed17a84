import type { Context } from './context.js'
import { RedprocError } from './errors.js'
import { checkKind, type ObjectKind } from './objects.js'
import { checkOptions, option, type Schema } from './options.js'
import { listWorkers, type WorkerInfo } from './pool/workers.js'
import { forgetRegisteredQueues } from './queues/queue-registry.js'
import { translateRedisError } from './redis/client.js'
import { deleteKeys } from './redis/delete-keys.js'
import { namespacePattern } from './redis/keys.js'

export interface DropOptions {
  /**
   * Delete even while live workers serve (the namespace, or the joinable
   * queue): they go on using it, and write some of its keys again.
   * @default false
   */
  force?: boolean
}

const DROP_OPTIONS: Schema<DropOptions> = { force: option.boolean }

/** Whether `method`'s options force the deletion; TYPE_ERROR for bad options. */
export function checkDropOptions(options: DropOptions | undefined, method: string): boolean {
  return checkOptions(options, DROP_OPTIONS, `${method}() options`).force === true
}

/**
 * IN_USE, unless no worker is live: deleting what a worker serves would not
 * stop it, and it would recreate keys of what was deleted. `remedy` says how
 * to delete anyway: `purge({ force: true })`.
 */
export function refuseWhileServed(workers: WorkerInfo[], what: string, remedy: string): void {
  if (workers.length === 0) return
  const shown = workers
    .slice(0, 3)
    .map((worker) => `${worker.host} pid ${worker.pid} on '${worker.queue}'`)
  const more = workers.length > 3 ? `, and ${workers.length - 3} more` : ''
  const count = workers.length === 1 ? '1 live worker' : `${workers.length} live workers`
  throw new RedprocError(
    'IN_USE',
    `${what} has ${count} (${shown.join(', ')}${more}): stop them first, or ${remedy}`,
  )
}

/**
 * `mp.drop(kind, name)`: deletes the object from Redis with everything in it,
 * and returns how many keys went. Queues go through their own `delete()`.
 */
export async function dropObject(
  mp: Context,
  kind: ObjectKind,
  name: string,
  options?: DropOptions,
): Promise<number> {
  const checkedKind = checkKind(kind, 'kind')
  const keys = mp.keys(checkedKind, name)
  const force = checkDropOptions(options, 'drop')
  if (checkedKind === 'joinable-queue') return mp.joinableQueue(name).delete({ force })
  if (checkedKind === 'queue') return mp.queue(name).delete()
  try {
    return await deleteKeys(mp.redis, keys.pattern)
  } catch (error) {
    throw translateRedisError(error)
  }
}

/**
 * `mp.purge()`: deletes every key of the context's namespace, on every
 * master of a cluster, and returns how many went. IN_USE while a worker of
 * the namespace is live, unless `force`.
 */
export async function purgeNamespace(mp: Context, options?: DropOptions): Promise<number> {
  const force = checkDropOptions(options, 'purge')
  const { namespace } = mp.options
  try {
    if (!force) {
      refuseWhileServed(await listWorkers(mp), `namespace '${namespace}'`, 'purge({ force: true })')
    }
    const deleted = await deleteKeys(mp.redis, namespacePattern(namespace))
    forgetRegisteredQueues(mp)
    return deleted
  } catch (error) {
    throw translateRedisError(error)
  }
}
