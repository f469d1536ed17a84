import type { RedisClient } from './client.js'
import { scanKeys } from './scan.js'

/** Keys deleted per round of commands. */
const BATCH = 500

/**
 * Deletes every key matching `pattern`, on the one Redis or on every master
 * of a cluster, and returns how many went. One key per UNLINK: the keys of
 * different objects lie in different hash slots. Keys written while it walks
 * may stay, as SCAN promises nothing about them.
 */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<number> {
  let deleted = 0
  let batch: string[] = []
  const flush = async () => {
    const counts = await Promise.all(batch.map((key) => redis.unlink(key)))
    deleted += counts.reduce((sum, count) => sum + count, 0)
    batch = []
  }
  for await (const key of scanKeys(redis, pattern)) {
    batch.push(key)
    if (batch.length >= BATCH) await flush()
  }
  await flush()
  return deleted
}
