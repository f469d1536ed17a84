// Waits on a joinable queue the way a producer process does: `join` waits
// until every item is acknowledged, `put` waits for room in a full bounded
// queue. Reports 'waiting' first, then how the wait ended.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  queue: string
  wait: 'join' | 'put'
  maxsize?: number
  timeout: number
}

const { config, mp } = await childContext<Config>()
const q = mp.joinableQueue<string>(config.queue, { maxsize: config.maxsize ?? 0 })
report({ waiting: true })
const started = performance.now()
try {
  if (config.wait === 'join') await q.join({ timeout: config.timeout })
  else await q.put('late', { timeout: config.timeout })
  report({ outcome: 'done', ms: Math.round(performance.now() - started) })
} catch (error) {
  report({ outcome: (error as { code?: string }).code ?? String(error) })
}
await mp.close()
