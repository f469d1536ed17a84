// Waits once on condition 'c' (for `timeout` ms) and reports whether it was notified.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { timeout: number }>()
const c = mp.condition('c')
await c.acquire()
const notified = await c.wait({ timeout: config.timeout })
const levels = c.lock.heldLevels()
await c.release()
report({ notified, levels })
await mp.close()
