import { checkKind, type ObjectKind } from './objects.js'
import { checkDropOptions, type DropOptions, refuseWhileServed } from './queues/drop-guard.js'
import { JoinableQueue } from './queues/joinable-queue/joinable-queue.js'
import { Queue } from './queues/queue.js'
import { forgetRegisteredQueues } from './queues/queue-registry.js'
import { listWorkers } from './queues/workers.js'
import { translateRedisError } from './redis/client.js'
import { deleteKeys } from './redis/delete-keys.js'
import { namespacePattern } from './redis/keys.js'
import type { Scope } from './redis/scope.js'

/**
 * `mp.drop(kind, name)`: deletes the object from Redis with everything in it,
 * and returns how many keys went. Queues go through their own `delete()`.
 */
export async function dropObject(
  mp: Scope,
  kind: ObjectKind,
  name: string,
  options?: DropOptions,
): Promise<number> {
  const checkedKind = checkKind(kind, 'kind')
  const keys = mp.keys(checkedKind, name)
  const force = checkDropOptions(options, 'drop')
  if (checkedKind === 'joinable-queue') return new JoinableQueue(mp, name).delete({ force })
  if (checkedKind === 'queue') return new Queue(mp, name).delete()
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
export async function purgeNamespace(mp: Scope, options?: DropOptions): Promise<number> {
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
