import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { RedisClient } from './client.js'

/**
 * One Lua script from `redis/lua/<name>.lua`, run by EVALSHA and loaded on
 * the first NOSCRIPT (per node, so it also works on Redis Cluster).
 */
export class Script<Result> {
  readonly name: string
  private readonly source: string
  private readonly sha: string

  constructor(name: string) {
    this.name = name
    this.source = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')
    this.sha = createHash('sha1').update(this.source).digest('hex')
  }

  async run(
    client: RedisClient,
    keys: string[],
    args: Array<string | number | Buffer> = [],
  ): Promise<Result> {
    try {
      return (await client.evalsha(this.sha, keys.length, ...keys, ...args)) as Result
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return (await client.eval(this.source, keys.length, ...keys, ...args)) as Result
    }
  }
}
