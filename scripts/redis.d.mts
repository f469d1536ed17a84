// Types of redis.mjs, for the tests that start a Redis of their own.
export interface StartedRedis {
  port: number
  url: string
  stop(): Promise<void>
}

/** A redis-server on a free port of 127.0.0.1, with `extraArgs` added to its command line. */
export function startRedisServer(extraArgs: string[]): Promise<StartedRedis>
