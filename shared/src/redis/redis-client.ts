import type { Cluster, Redis } from 'ioredis'

/**
 * A connection to Redis: one server (with Sentinel, its master) or a
 * cluster. Its own file, so the helpers `client.ts` builds on need not
 * import `client.ts` back.
 */
export type RedisClient = Redis | Cluster
