// Closes its context while a get() waits in Redis; must then exit by itself.
import { blockedCount } from '../support/blocked-connections.js'
import { type ChildConfig, childContext, report } from '../support/child-context.js'
import { until } from '../support/until.js'

const { config, mp } = await childContext<ChildConfig & { queue: string }>()
const q = mp.joinableQueue(config.queue)
const waiting = q.get().then(
  () => 'item',
  (error: Error & { code?: string }) => error.code ?? error.message,
)
await until(async () => (await blockedCount(mp)) > 0, 'the get blocks')
await mp.close()
report({ get: await waiting })
