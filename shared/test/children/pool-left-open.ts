// Maps on a local pool and ends without closing the pool or the context:
// idle workers must not hold the process open, as in Python.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { backend: 'threads' | 'processes' }>()
const tasks = new URL('../fixtures/tasks.ts', import.meta.url)
const pool = mp.pool({ backend: config.backend, tasks, processes: 2 })
report(await pool.map('double', [1, 2, 3]))
