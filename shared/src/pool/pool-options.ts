import { describe } from '../arguments.js'
import type { Json } from '../codec.js'
import { RedprocTypeError } from '../errors.js'
import { type Check, checkOptions, option, type Schema } from '../options.js'
import { validateName } from '../redis/keys.js'
import { checkJson } from './json-check.js'
import type { LocalBackendOptions } from './local-backend.js'
import { type TaskFunction, taskName } from './task-ref.js'

/** Workers of this process — threads, or child processes — running a tasks module. */
export interface LocalPoolOptions {
  /**
   * `'threads'`: worker threads of this process, as Python's
   * `multiprocessing.dummy.Pool` (`'local'` is the same). `'processes'`:
   * child processes, as Python's `Pool`, so a task that crashes or exhausts
   * its memory cannot take the caller down with it.
   */
  backend: 'threads' | 'processes' | 'local'
  /** The tasks module (a path or URL) each worker loads. */
  tasks: string | URL
  /** Workers. @default os.availableParallelism() */
  processes?: number
  /** A task each worker runs once as it starts, with `initargs`. @default none */
  initializer?: string | TaskFunction
  /** @default [] */
  initargs?: Json[]
  /** Chunks a worker runs before a fresh one replaces it. @default no limit */
  maxTasksPerChild?: number
}

/** `serve` processes on any machine, taking work from a queue. */
export interface RedisPoolOptions {
  /** @default 'redis' */
  backend?: 'redis'
  /** The queue the serving processes take from. @default 'tasks' */
  queue?: string
}

export type PoolOptions = LocalPoolOptions | RedisPoolOptions

/** Pool options, checked and complete. */
export type ResolvedPoolOptions =
  | (LocalBackendOptions & { backend: 'local' })
  | { backend: 'redis'; queue: string }

/** The pool's defaults: serving processes on the queue 'tasks', the one default queue of pools, `serve` and the services. */
export const POOL_DEFAULTS = { backend: 'redis', queue: 'tasks' } as const

/** Every option of either backend; which ones a backend takes is checked after. */
type AnyPoolOptions = Partial<Omit<LocalPoolOptions, 'backend'>> & {
  backend?: PoolOptions['backend']
  queue?: string
}

/** The options only a pool of this process's own workers takes. */
const LOCAL_ONLY = ['tasks', 'processes', 'initializer', 'initargs', 'maxTasksPerChild'] as const

const tasksModule: Check<string | URL> = (value, name) => {
  if (typeof value === 'string' || value instanceof URL) return value
  throw new RedprocTypeError(`${name} must be a module path or URL, not ${describe(value)}`)
}

const initargs: Check<Json[]> = (value, name) => {
  if (!Array.isArray(value))
    throw new RedprocTypeError(`${name} must be an array of arguments, not ${describe(value)}`)
  for (let i = 0; i < value.length; i++) checkJson(value[i], () => `${name}[${i}]`)
  return value
}

const SCHEMA: Schema<AnyPoolOptions> = {
  backend: option.oneOf('redis', 'threads', 'processes', 'local'),
  queue: (value, name) => validateName(value, name),
  tasks: tasksModule,
  processes: option.integer(1),
  initializer: (value, name) => taskName(value, name),
  initargs,
  maxTasksPerChild: option.integer(1),
}

/** Checks pool options (TYPE_ERROR, VALUE_ERROR) and fills in the defaults. */
export function resolvePoolOptions(options: PoolOptions | undefined): ResolvedPoolOptions {
  const checked = checkOptions<AnyPoolOptions>(options, SCHEMA, 'pool options')
  const backend = checked.backend ?? POOL_DEFAULTS.backend
  if (backend !== 'redis') {
    if (checked.queue !== undefined) {
      throw new RedprocTypeError('a local pool takes no queue: its work stays in this process')
    }
    if (checked.tasks === undefined) {
      throw new RedprocTypeError('a local pool needs `tasks`: the module its workers load')
    }
    const { tasks, processes, initializer, maxTasksPerChild } = checked
    return {
      backend: 'local',
      workers: backend === 'processes' ? 'processes' : 'threads',
      tasks,
      ...(processes === undefined ? {} : { processes }),
      ...(initializer === undefined ? {} : { initializer: taskName(initializer) }),
      initargs: checked.initargs ?? [],
      ...(maxTasksPerChild === undefined ? {} : { maxTasksPerChild }),
    }
  }
  for (const local of LOCAL_ONLY) {
    if (checked[local] !== undefined) {
      throw new RedprocTypeError(
        `a redis pool takes no ${local}: the serving processes load and start their own tasks`,
      )
    }
  }
  return { backend, queue: checked.queue ?? POOL_DEFAULTS.queue }
}
