// Maps on a queue nobody serves, with no logger: the pool's warning that no
// worker serves the queue goes to stderr. Once warned, reports the TIMEOUT
// message of a short wait for the result.
import { once } from 'node:events'
import { childContext, report } from '../support/child-context.js'

const { mp } = await childContext()
const pending = mp.pool({ queue: 'unserved' }).mapAsync('double', [1, 2], { chunksize: 1 })
await once(process, 'warning')
report(await pending.get({ timeout: 10 }).catch((error: unknown) => String(error)))
await mp.close()
