import { type Command, InvalidArgumentError, Option } from 'commander'
import { type Context, connect } from '../context.js'
import type { RedisTarget } from '../redis/client.js'
import { validateName } from '../redis/keys.js'

/** The options every command takes, as commander parses them. */
export interface GlobalOptions {
  redis?: string
  cluster?: RedisTarget
  namespace: string
  json?: boolean
}

/** Adds the options every command takes to the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(
      new Option('--redis <url>', 'the Redis to use (default: redis://127.0.0.1:6379)').env(
        'REDIS_URL',
      ),
    )
    .addOption(
      new Option(
        '--cluster <nodes>',
        'a Redis Cluster instead, by seed nodes: host:port,host:port',
      ).argParser(parseClusterNodes),
    )
    .addOption(
      new Option('--namespace <name>', 'the namespace to look at')
        .env('REDPROC_NAMESPACE')
        .default('default')
        .argParser(nameParser('namespace')),
    )
    .option('--json', 'print JSON for scripts instead of tables')
}

/** The global options, from any command's action. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>()
}

/**
 * Runs `action` on a context of the command's Redis and namespace, closed
 * after it. A tool waits less for Redis than a service does.
 */
export async function withContext<T>(
  command: Command,
  action: (mp: Context, options: GlobalOptions & { json: boolean }) => Promise<T>,
  connectTimeoutMs = 5000,
): Promise<T> {
  const options = globalOptions(command)
  const redis = options.cluster ?? options.redis
  const mp = await connect({
    ...(redis === undefined ? {} : { redis }),
    namespace: options.namespace,
    connectTimeoutMs,
  })
  try {
    return await action(mp, { ...options, json: options.json === true })
  } finally {
    await mp.close()
  }
}

/** Checks an object or namespace name; the library's INVALID_NAME message becomes a usage error. */
export function nameParser(what: string): (value: string) => string {
  return (value) => {
    try {
      return validateName(value, what)
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message)
    }
  }
}

/** A whole number of at least `min`, for a count option. */
export function parseCount(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`use a whole number of at least ${min}`)
    }
    return n
  }
}

function parseClusterNodes(value: string): RedisTarget {
  const cluster = value.split(',').map((address) => {
    const match = /^(.+):(\d{1,5})$/.exec(address.trim())
    if (!match) throw new InvalidArgumentError(`'${address}' is not host:port`)
    return { host: match[1] as string, port: Number(match[2]) }
  })
  return { cluster }
}
