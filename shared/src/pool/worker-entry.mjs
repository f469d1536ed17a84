// The entry of each worker of a local pool: a worker thread, or a child
// process forked with an IPC channel. It is plain JavaScript so that it loads
// with or without a TypeScript loader; worker threads do not inherit the
// loader of the main thread, so one is registered here when the tasks module
// (or this library, run from source) is TypeScript.
import { once } from 'node:events'
import { isMainThread, parentPort, workerData } from 'node:worker_threads'

const inProcess = isMainThread
// A message to a pool that has closed the channel has no one to read it.
const send = inProcess
  ? (message) => process.connected && process.send(message, () => {})
  : (message) => parentPort.postMessage(message)
const inbox = inProcess ? process : parentPort

if (inProcess) {
  // The pool closed the channel, or its process died: nothing more will come.
  process.once('disconnect', () => process.exit(0))
}

async function readConfig() {
  if (!inProcess) return workerData
  const asked = once(process, 'message')
  send({ hello: true })
  const [{ config }] = await asked
  return config
}

async function start(config) {
  const { runner, tasksModule, initializer, initargs } = config
  if (/\.[cm]?ts$/.test(runner) || /\.[cm]?ts$/.test(tasksModule)) {
    const { register } = await import('tsx/esm/api').catch(() => {
      throw new Error(`the tasks module ${tasksModule} is TypeScript: install tsx to run it`)
    })
    register()
  }
  const { runChunk } = await import(runner)
  const tasks = await import(tasksModule)
  if (initializer !== undefined) {
    const init = Object.hasOwn(tasks, initializer) ? tasks[initializer] : undefined
    if (typeof init !== 'function')
      throw new Error(`the initializer '${initializer}' is not a task of ${tasksModule}`)
    try {
      await init(...initargs)
    } catch (error) {
      throw new Error(`the initializer '${initializer}' failed: ${error?.message ?? error}`)
    }
  }
  return (request, tick) =>
    runChunk(tasks, request, tick ? () => void send({ tick: true }) : undefined)
}

try {
  const run = await start(await readConfig())
  inbox.on('message', async ({ request, tick }) => {
    send({ outcome: await run(request, tick) })
  })
  send({ ready: true })
} catch (error) {
  send({ startFailed: error instanceof Error ? error.message : String(error) })
}
