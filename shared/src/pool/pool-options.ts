import type { LocalBackendOptions } from './local-backend.js'

/** Worker threads of this process, running a tasks module. */
export interface LocalPoolOptions extends LocalBackendOptions {
  backend: 'local'
}

/** `serve` processes on any machine, taking work from a queue. */
export interface RedisPoolOptions {
  /** @default 'redis' */
  backend?: 'redis'
  /** The queue the serving processes take from. @default 'tasks' */
  queue?: string
}

export type PoolOptions = LocalPoolOptions | RedisPoolOptions
