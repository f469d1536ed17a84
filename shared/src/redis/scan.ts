import { Cluster } from 'ioredis'
import type { RedisClient } from './client.js'

/**
 * Every key matching `pattern`, by SCAN on the one Redis or on every master
 * of a cluster. Keys written during the walk may be missed, as with SCAN.
 */
export async function* scanKeys(redis: RedisClient, pattern: string): AsyncGenerator<string> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      yield* keys
      cursor = next
    } while (cursor !== '0')
  }
}
