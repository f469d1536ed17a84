// Waits on event 'e' (for `timeout` ms) and reports whether it was set.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { timeout: number }>()
report({ set: await mp.event('e').wait({ timeout: config.timeout }) })
await mp.close()
