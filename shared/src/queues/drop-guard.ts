import { RedprocError } from '../errors.js'
import { checkOptions, option, type Schema } from '../options.js'
import type { WorkerInfo } from './workers.js'

export interface DropOptions {
  /**
   * Delete even while live workers serve (the namespace, or the joinable
   * queue): they go on using it, and write some of its keys again.
   * @default false
   */
  force?: boolean
}

const DROP_OPTIONS: Schema<DropOptions> = { force: option.boolean }

/** Whether `method`'s options force the deletion; TYPE_ERROR for bad options. */
export function checkDropOptions(options: DropOptions | undefined, method: string): boolean {
  return checkOptions(options, DROP_OPTIONS, `${method}() options`).force === true
}

/**
 * IN_USE, unless no worker is live: deleting what a worker serves would not
 * stop it, and it would recreate keys of what was deleted. `remedy` says how
 * to delete anyway: `purge({ force: true })`.
 */
export function refuseWhileServed(workers: WorkerInfo[], what: string, remedy: string): void {
  if (workers.length === 0) return
  const shown = workers
    .slice(0, 3)
    .map((worker) => `${worker.host} pid ${worker.pid} on '${worker.queue}'`)
  const more = workers.length > 3 ? `, and ${workers.length - 3} more` : ''
  const count = workers.length === 1 ? '1 live worker' : `${workers.length} live workers`
  throw new RedprocError(
    'IN_USE',
    `${what} has ${count} (${shown.join(', ')}${more}): stop them first, or ${remedy}`,
  )
}
