// Starts a child with mp.process() whose task throws, and reports its exit
// code: the test reads the child's error from this process's stderr.
import { childContext, report } from '../support/child-context.js'

const { mp } = await childContext()
const p = mp.process({
  target: 'fail',
  args: ['the task broke'],
  tasks: new URL('../fixtures/process-tasks.ts', import.meta.url),
})
p.start()
await p.join()
report(p.exitCode)
await mp.close()
