import type { Command } from 'commander'
import type { Tasks } from '../pool/chunk.js'
import { type FinishedJob, SERVE_DEFAULTS, serve } from '../pool/serve.js'
import { moduleUrl } from '../tasks-module.js'
import { nameParser, parseCount, withContext } from './global-options.js'

interface ServeFlags {
  tasks: string
  queue: string
  concurrency: number
}

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description("run a tasks module's tasks for a queue, as the consumer does, until Ctrl-C")
    .requiredOption('--tasks <file>', 'the tasks module: an ES module whose exports are the tasks')
    .option(
      '--queue <name>',
      'the joinable queue to serve',
      nameParser('queue'),
      SERVE_DEFAULTS.queue,
    )
    .option('--concurrency <n>', 'jobs run at once', parseCount(1), 1)
    .action(async (flags: ServeFlags, command: Command) => {
      const tasks = await loadTasks(flags.tasks)
      await withContext(
        command,
        async (mp, { json }) => {
          const say = (event: Record<string, unknown>, human: string, toStderr = false) => {
            const line = json ? JSON.stringify(event) : human
            ;(toStderr && !json ? process.stderr : process.stdout).write(`${line}\n`)
          }
          const onFinished = (job: FinishedJob) => {
            if (job.finishedAs !== 'failed' && job.finishedAs !== 'retrying') return
            const how = job.finishedAs === 'retrying' ? 'failed, to be retried' : 'failed'
            const why = job.error?.message ?? 'no message'
            say({ event: 'failed', ...job }, `job ${job.id} (${job.task}) ${how}: ${why}`, true)
          }
          const handle = await serve(mp, {
            queue: flags.queue,
            tasks,
            concurrency: flags.concurrency,
            onFinished,
          })
          const info = handle.info()
          say(
            { event: 'serving', namespace: mp.options.namespace, ...info },
            `serving queue '${info.queue}' in namespace '${mp.options.namespace}' as ${info.host} pid ${info.pid}, ` +
              `${info.concurrency} at once; tasks: ${info.tasks.join(', ')} (Ctrl-C stops)`,
          )
          await nextSignal()
          // A second signal does not wait for the jobs in hand.
          void nextSignal().then(() => process.exit(130))
          await handle.stop()
          const { processed, failed } = handle.info()
          say(
            { event: 'stopped', processed, failed },
            `stopped: ${processed} processed, ${failed} failed`,
          )
        },
        10_000,
      )
    })
}

/** Resolves on the next SIGINT or SIGTERM. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
      resolve(signal)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
}

/**
 * The tasks module's exported functions. A TypeScript module is loaded
 * through tsx, registered here for it.
 */
async function loadTasks(file: string): Promise<Tasks> {
  const url = moduleUrl(file)
  let module: Record<string, unknown>
  try {
    if (/\.[cm]?ts$/.test(file)) await registerTypeScript(file)
    module = await import(url)
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
    throw new Error(`tasks module ${file} could not be loaded: ${message}`)
  }
  const tasks = Object.fromEntries(
    Object.entries(module).filter(([, value]) => typeof value === 'function'),
  )
  if (Object.keys(tasks).length === 0) {
    throw new Error(`tasks module ${file} exports no function: nothing to serve`)
  }
  return tasks
}

async function registerTypeScript(file: string): Promise<void> {
  const tsx = await import('tsx/esm/api').catch(() => {
    throw new Error(`${file} is TypeScript: install tsx to serve it`)
  })
  tsx.register()
}
