import { describe } from '../arguments.js'
import { RedprocTypeError } from '../errors.js'
import { type Check, checkOptions, option, type Schema } from '../options.js'
import { validateName } from '../redis/keys.js'
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

/** Pool options, checked and complete. */
export type ResolvedPoolOptions =
  | (LocalBackendOptions & { backend: 'local' })
  | { backend: 'redis'; queue: string }

const DEFAULTS = { backend: 'redis', queue: 'tasks' } as const

/** Every option of either backend; which ones a backend takes is checked after. */
type AnyPoolOptions = Partial<Omit<LocalPoolOptions, 'backend'>> & {
  backend?: PoolOptions['backend']
  queue?: string
}

const tasksModule: Check<string | URL> = (value, name) => {
  if (typeof value === 'string' || value instanceof URL) return value
  throw new RedprocTypeError(`${name} must be a module path or URL, not ${describe(value)}`)
}

const SCHEMA: Schema<AnyPoolOptions> = {
  backend: option.oneOf('redis', 'local'),
  queue: (value, name) => validateName(value, name),
  tasks: tasksModule,
  processes: option.integer(1),
}

/** Checks pool options (TYPE_ERROR, VALUE_ERROR) and fills in the defaults. */
export function resolvePoolOptions(options: PoolOptions | undefined): ResolvedPoolOptions {
  const checked = checkOptions<AnyPoolOptions>(options, SCHEMA, 'pool options')
  const backend = checked.backend ?? DEFAULTS.backend
  if (backend === 'local') {
    if (checked.queue !== undefined) {
      throw new RedprocTypeError('a local pool takes no queue: its work stays in this process')
    }
    if (checked.tasks === undefined) {
      throw new RedprocTypeError('a local pool needs `tasks`: the module its threads load')
    }
    return { backend, tasks: checked.tasks, processes: checked.processes }
  }
  for (const local of ['tasks', 'processes'] as const) {
    if (checked[local] !== undefined) {
      throw new RedprocTypeError(
        `a redis pool takes no ${local}: the serving processes load their own tasks`,
      )
    }
  }
  return { backend, queue: checked.queue ?? DEFAULTS.queue }
}
