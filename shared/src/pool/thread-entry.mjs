// The entry of each worker thread of a local pool. It is plain JavaScript so
// that it loads with or without a TypeScript loader; worker threads do not
// inherit the loader of the main thread, so one is registered here when the
// tasks module (or this library, run from source) is TypeScript.
import { workerData } from 'node:worker_threads'

const { runner, tasksModule } = workerData
if (/\.[cm]?ts$/.test(runner) || /\.[cm]?ts$/.test(tasksModule)) {
  const { register } = await import('tsx/esm/api').catch(() => {
    throw new Error(
      `the tasks module ${tasksModule} is TypeScript: install tsx to run it on worker threads`,
    )
  })
  register()
}
const { runChunk } = await import(runner)
const tasks = await import(tasksModule)

export default function run(request) {
  return runChunk(tasks, request)
}
