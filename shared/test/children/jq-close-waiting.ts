// Closes its context while a get() waits in Redis; must then exit by itself.
import { childContext, report } from './jq-support.js'

const { config, mp } = await childContext()
const q = mp.joinableQueue(config.queue)
const waiting = q.get().then(
  () => 'item',
  (error: Error & { code?: string }) => error.code ?? error.message,
)
const info = async () => Number(/blocked_clients:(\d+)/.exec(await mp.redis.info('clients'))?.[1])
while ((await info()) === 0) await new Promise((resolve) => setTimeout(resolve, 10))
await mp.close()
report({ get: await waiting })
