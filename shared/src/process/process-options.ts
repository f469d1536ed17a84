import { describe } from '../arguments.js'
import { encode, type Json } from '../codec.js'
import type { ConnectOptions, ContextOptions } from '../connect-options.js'
import { RedprocTypeError, ValueError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import { moduleUrl } from '../tasks-module.js'
import type { WaitOptions } from '../waits.js'

export interface ProcessOptions {
  /** The task the child runs: a named export of `tasks`. */
  target: string
  /**
   * The tasks module: a path (relative to the working directory) or a URL of
   * an ES module whose named exports are tasks; TypeScript under tsx.
   */
  tasks: string | URL
  /** JSON arguments, passed to the task after the child's context. @default [] */
  args?: Json[]
  /** The process's name, as `currentProcess().name` gives it in the child. @default 'Process-N' */
  name?: string
}

/** `timeout`: `join` then returns with the child still running; `signal`: ABORTED. */
export type JoinOptions = WaitOptions

export interface ResolvedProcessOptions {
  readonly target: string
  readonly tasks: string
  readonly args: Json[]
  readonly name: string | undefined
}

const PROCESS_OPTIONS: Schema<ProcessOptions> = {
  target: (value, name) => {
    const target = option.string(value, name)
    if (target === '') throw new ValueError(`${name} must name a task, not ''`)
    return target
  },
  tasks: (value, name) => {
    if (typeof value === 'string' || value instanceof URL) return value
    throw new RedprocTypeError(`${name} must be a path or a URL, not ${describe(value)}`)
  },
  args: (value, name) => {
    if (!Array.isArray(value)) {
      throw new RedprocTypeError(`${name} must be an array, not ${describe(value)}`)
    }
    encode(value, name)
    return value as Json[]
  },
  name: option.string,
}

/** `mp.process()` options, checked; `tasks` becomes a URL string. */
export function resolveProcessOptions(options: ProcessOptions): ResolvedProcessOptions {
  if (options === undefined) {
    throw new RedprocTypeError('process() needs options: { target, tasks, args?, name? }')
  }
  const checked = checkOptions(options, PROCESS_OPTIONS, 'process() options')
  for (const required of ['target', 'tasks'] as const) {
    if (checked[required] === undefined) {
      throw new RedprocTypeError(`process() options need ${required}`)
    }
  }
  return {
    target: checked.target,
    tasks: moduleUrl(checked.tasks),
    args: checked.args ?? [],
    name: checked.name,
  }
}

/** Where a child started by `mp.process()` finds what to run and how to connect. */
export const PROCESS_CONFIG_ENV = 'REDPROC_PROCESS'

/**
 * The parent context's `connect()` options as JSON, for its children: all
 * but what JSON cannot carry (a logger); `Infinity`, for which JSON has no
 * word, travels as the string `'Infinity'`.
 */
export function connectOptionsForChild(options: ContextOptions): Json {
  const { redis, namespace, connectTimeoutMs, pool, durability } = options
  const timeout = connectTimeoutMs === Infinity ? 'Infinity' : connectTimeoutMs
  return JSON.parse(
    JSON.stringify({ redis, namespace, connectTimeoutMs: timeout, pool, durability }),
  ) as Json
}

/** A child's `connect()` options, from what `connectOptionsForChild` sent. */
export function connectOptionsFromParent(json: Json): ConnectOptions {
  const { connectTimeoutMs, ...options } = json as Omit<ConnectOptions, 'connectTimeoutMs'> & {
    connectTimeoutMs?: number | 'Infinity'
  }
  if (connectTimeoutMs === undefined) return options
  return {
    ...options,
    connectTimeoutMs: connectTimeoutMs === 'Infinity' ? Infinity : connectTimeoutMs,
  }
}

/** What a child gets from its parent: JSON, in `PROCESS_CONFIG_ENV`. */
export interface ChildConfig {
  readonly target: string
  readonly tasks: string
  readonly args: Json[]
  /** The parent's `connect()` options, less what JSON cannot carry (a logger, functions). */
  readonly connect: Json
}
