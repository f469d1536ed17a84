import type { Context } from '../context.js'

/** Names registered per context already, so each costs one write per process. */
const registered = new WeakMap<Context, Set<string>>()

/**
 * Records that the joinable queue `name` is in use in `mp`'s namespace, so
 * that `listQueues` finds it without scanning Redis. A separate key from the
 * queue's own (another hash slot on Cluster), written once per process.
 */
export async function registerQueue(mp: Context, name: string): Promise<void> {
  let names = registered.get(mp)
  if (!names) {
    names = new Set()
    registered.set(mp, names)
  }
  if (names.has(name)) return
  await mp.redis.sadd(registryKey(mp), name)
  names.add(name)
}

/** Takes the deleted queue `name` off the list; its next use registers it again. */
export async function unregisterQueue(mp: Context, name: string): Promise<void> {
  registered.get(mp)?.delete(name)
  await mp.redis.srem(registryKey(mp), name)
}

/** After the namespace was purged (the list with it): every queue registers again on its next use. */
export function forgetRegisteredQueues(mp: Context): void {
  registered.delete(mp)
}

/** The joinable queues of `mp`'s namespace that took jobs or had a serving process, by name. */
export async function listQueues(mp: Context): Promise<string[]> {
  return (await mp.redis.smembers(registryKey(mp))).sort()
}

function registryKey(mp: Context): string {
  return mp.keys('registry', 'joinable-queues').base
}
