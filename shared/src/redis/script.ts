import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { RedisClient } from './client.js'

/**
 * How long a waiter's wake-up list outlives its last entry, ms: long enough
 * for a waiter between two blocks to find it, short enough that a list
 * nobody pops does not stay.
 */
export const WAKE_LIST_TTL_MS = 60_000

/** Constants every prelude may use, given to Lua from here so both sides agree. */
const LUA_CONSTANTS = { WAKE_LIST_TTL_MS }

/** A script's header names the preludes it uses: `-- uses: waiters, jobs`. */
const USES = /^-- uses: (.+)$/m

const preludes = new Map<string, string>()

/** `lua/prelude/<name>.lua`, read once: local functions shared by several scripts. */
function prelude(name: string): string {
  let source = preludes.get(name)
  if (source === undefined) {
    source = readFileSync(new URL(`./lua/prelude/${name}.lua`, import.meta.url), 'utf8')
    preludes.set(name, source)
  }
  return source
}

/** The source Redis runs: the script's preludes, with the constants, before the script. */
function assemble(script: string): string {
  const uses = USES.exec(script)?.[1]
  if (uses === undefined) return script
  const constants = Object.entries(LUA_CONSTANTS).map(
    ([name, value]) => `local ${name} = ${value}\n`,
  )
  const names = uses.split(',').map((name) => name.trim())
  return [...constants, ...names.map(prelude), script].join('')
}

/**
 * One Lua script from `redis/lua/<name>.lua`, with the preludes its header
 * names, run by EVALSHA and loaded on the first NOSCRIPT (per node, so it
 * also works on Redis Cluster). Its sha is that of the assembled source, so
 * it changes only when the script or a prelude it uses does.
 */
export class Script<Result> {
  readonly name: string
  private readonly source: string
  private readonly sha: string

  constructor(name: string) {
    this.name = name
    this.source = assemble(readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8'))
    this.sha = createHash('sha1').update(this.source).digest('hex')
  }

  run(
    client: RedisClient,
    keys: string[],
    args: Array<string | number | Buffer> = [],
  ): Promise<Result> {
    // The script is loaded once per node: only the first run there falls back to EVAL.
    return (client.evalsha(this.sha, keys.length, ...keys, ...args) as Promise<Result>).catch(
      (error: unknown) => {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
        return client.eval(this.source, keys.length, ...keys, ...args) as Promise<Result>
      },
    )
  }
}
