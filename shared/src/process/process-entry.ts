// The main module of a child started by `mp.process()`: connects as its
// parent's context did, runs the task, closes, and ends. A task that throws
// ends the child with exit code 1 and its error on stderr, as in Python.
import type { Json } from '../codec.js'
import { connect } from '../context.js'
import { currentProcess } from './current-process.js'
import {
  type ChildConfig,
  connectOptionsFromParent,
  PROCESS_CONFIG_ENV,
} from './process-options.js'

type Task = (...args: unknown[]) => unknown

async function run(config: ChildConfig): Promise<void> {
  const tasks = (await import(config.tasks)) as Record<string, unknown>
  const task = tasks[config.target]
  if (typeof task !== 'function') {
    const names = Object.keys(tasks).filter((name) => typeof tasks[name] === 'function')
    throw new Error(
      `the tasks module ${config.tasks} has no task '${config.target}'; it exports ${names.join(', ') || 'none'}`,
    )
  }
  const mp = await connect(connectOptionsFromParent(config.connect))
  try {
    await (task as Task)(mp, ...(config.args as Json[]))
  } finally {
    await mp.close()
  }
}

try {
  await run(JSON.parse(process.env[PROCESS_CONFIG_ENV] ?? 'null') as ChildConfig)
} catch (error) {
  const text = error instanceof Error ? (error.stack ?? String(error)) : String(error)
  process.stderr.write(`Process ${currentProcess().name}:\n${text}\n`)
  process.exitCode = 1
}
