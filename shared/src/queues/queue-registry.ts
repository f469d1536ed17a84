import { NAMESPACE_KEYS } from '../redis/keys.js'
import type { Scope } from '../redis/scope.js'

/** Names registered per context already, so each costs one write per process. */
const REGISTERED: unique symbol = Symbol('redproc.registeredQueues')

function registeredIn(mp: Scope): Set<string> {
  return mp.shared(REGISTERED, () => new Set<string>())
}

/**
 * Records that the joinable queue `name` is in use in `mp`'s namespace, so
 * that `listQueues` finds it without scanning Redis. A separate key from the
 * queue's own (another hash slot on Cluster), written once per process.
 */
export async function registerQueue(mp: Scope, name: string): Promise<void> {
  const names = registeredIn(mp)
  if (names.has(name)) return
  await mp.redis.sadd(registryKey(mp), name)
  names.add(name)
}

/** Takes the deleted queue `name` off the list; its next use registers it again. */
export async function unregisterQueue(mp: Scope, name: string): Promise<void> {
  registeredIn(mp).delete(name)
  await mp.redis.srem(registryKey(mp), name)
}

/** After the namespace was purged (the list with it): every queue registers again on its next use. */
export function forgetRegisteredQueues(mp: Scope): void {
  registeredIn(mp).clear()
}

/** The joinable queues of `mp`'s namespace that took jobs or had a serving process, by name. */
export async function listQueues(mp: Scope): Promise<string[]> {
  return (await mp.redis.smembers(registryKey(mp))).sort()
}

function registryKey(mp: Scope): string {
  return mp.keys(NAMESPACE_KEYS.registry.kind, NAMESPACE_KEYS.registry.joinableQueues).base
}
