// Puts the numbers from..from+count-1 into a queue, one put each, and prints
// how many went in and the codes of the puts that failed.
import { isRedprocError, type Json } from '../../src/index.js'
import { type ChildConfig, childContext, report } from '../support/child-context.js'

/** What it reports when it ends: how many went in, and the codes of the puts that failed. */
export interface Produced {
  put: number
  errors: Record<string, number>
}

interface Config extends ChildConfig {
  name: string
  from: number
  count: number
  maxsize?: number
  /** Use putNowait rather than put. */
  nowait?: boolean
  timeout?: number
}

const { mp, config } = await childContext<Config>()
const q = mp.queue<Json>(config.name, { maxsize: config.maxsize ?? 0 })
let put = 0
const errors: Record<string, number> = {}
for (let i = config.from; i < config.from + config.count; i++) {
  try {
    if (config.nowait) await q.putNowait(i)
    else await q.put(i, { timeout: config.timeout })
    put++
  } catch (error) {
    if (!isRedprocError(error)) throw error
    errors[error.code] = (errors[error.code] ?? 0) + 1
  }
}
report({ put, errors } satisfies Produced)
await mp.close()
