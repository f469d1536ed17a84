// Gets items from a queue and prints them, with the code that ended the run:
// `count` items, or until a get fails (EMPTY after `timeout`, SHUTDOWN), or
// with `iterate` until `for await` ends. `concurrency` gets run side by side.
import { isRedprocError, type Json } from '../../src/index.js'
import { type ChildConfig, childContext, report } from '../support/child-context.js'

/** What it reports when it ends. */
export interface Consumed {
  items: Json[]
  /** The code that ended the run, or null after `count` items. */
  ended: string | null
  elapsedMs: number
}

interface Config extends ChildConfig {
  name: string
  count?: number
  timeout?: number
  iterate?: boolean
  concurrency?: number
}

const { mp, config } = await childContext<Config>()
const q = mp.queue<Json>(config.name)
const items: Json[] = []
let ended: string | null = null
const started = performance.now()

async function getLoop(): Promise<void> {
  while (config.count === undefined || items.length < config.count) {
    try {
      items.push(await q.get({ timeout: config.timeout }))
    } catch (error) {
      if (!isRedprocError(error)) throw error
      ended ??= error.code
      return
    }
  }
}

if (config.iterate) {
  for await (const item of q) items.push(item)
  ended = 'ITERATION_END'
} else {
  await Promise.all(Array.from({ length: config.concurrency ?? 1 }, () => getLoop()))
}
report({ items, ended, elapsedMs: performance.now() - started } satisfies Consumed)
await mp.close()
