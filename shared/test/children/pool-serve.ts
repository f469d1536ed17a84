// A serving process, like the consumer service: argv = namespace, queue,
// concurrency, optionally the comma-separated names of the only tasks it
// serves (as an older or newer release would), and the topology ('single'
// unless told). Prints 'ready' once it is listed as a worker; SIGTERM stops
// it gracefully.
import { connect, serve } from '../../src/index.js'
import * as allTasks from '../fixtures/tasks.js'
import { redisTarget, type Topology } from '../support/redis.js'

const [namespace, queue, concurrency, only, topology = 'single'] = process.argv.slice(2)
const tasks = only
  ? Object.fromEntries(Object.entries(allTasks).filter(([name]) => only.split(',').includes(name)))
  : allTasks
const mp = await connect({ redis: redisTarget(topology as Topology), namespace })
// A short lease, so the items of a killed worker come back quickly in tests.
const server = await serve(mp, {
  queue,
  tasks,
  concurrency: Number(concurrency),
  heartbeatMs: 200,
  lease: 2000,
})
process.once('SIGTERM', async () => {
  await server.stop()
  await mp.close()
})
process.stdout.write('ready\n')
