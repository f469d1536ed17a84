// The child's side of `startChild(t, name, config)`: imported by the programs
// in test/children, which run as processes of their own.
import { type Context, connect } from '../../src/index.js'
import { namedTarget } from './blocked-connections.js'
import { redisTarget, type Topology } from './redis.js'

/** What a test tells a child it starts with a config: JSON in argv[2]. */
export interface ChildConfig {
  topology: Topology
  namespace: string
  /** Names the child's Redis connections, so the test can see them block. */
  connectionName?: string
  /** A Redis of the test's own (see `startPrivateRedis`), instead of the topology's. */
  redisUrl?: string
  [more: string]: unknown
}

/** In a child: the config its test gave it, and a context on the test's namespace. */
export async function childContext<C extends ChildConfig = ChildConfig>(): Promise<{
  mp: Context
  config: C
}> {
  const config = JSON.parse(process.argv[2] ?? '{}') as C
  const redis =
    config.redisUrl ??
    (config.connectionName
      ? namedTarget(config.topology, config.connectionName)
      : redisTarget(config.topology))
  const mp = await connect({ redis, namespace: config.namespace })
  return { mp, config }
}

/** In a child: one JSON line on stdout, which the test reads with `next()` or `result()`. */
export function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}
