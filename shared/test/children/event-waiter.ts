// Waits for an event the way a worker waiting for a go signal does; reports
// 'waiting', then whether the wait saw the event set.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

interface Config extends ChildConfig {
  event: string
  timeout: number
}

const { config, mp } = await childContext<Config>()
report({ waiting: true })
const set = await mp.event(config.event).wait({ timeout: config.timeout })
report({ set })
await mp.close()
