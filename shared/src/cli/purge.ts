import type { Command } from 'commander'
import { refuseWhileServed } from '../queues/drop-guard.js'
import { listWorkers } from '../queues/workers.js'
import { keysText } from './drop.js'
import { withContext } from './global-options.js'
import { print } from './output.js'

export function addPurgeCommand(program: Command): void {
  program
    .command('purge')
    .description('delete every key of the namespace (mp.purge); refused while a worker is live')
    .option('--force', 'purge even while live workers serve the namespace')
    .action(async (options: { force?: boolean }, command: Command) => {
      await withContext(command, async (mp, { json }) => {
        const { namespace } = mp.options
        // The library's own check, worded for the command line.
        if (options.force !== true) {
          refuseWhileServed(await listWorkers(mp), `namespace '${namespace}'`, 'use --force')
        }
        const deleted = await mp.purge({ force: true })
        print(
          json,
          { namespace, deleted },
          () => `purged namespace '${namespace}': ${keysText(deleted)} deleted`,
        )
      })
    })
}
