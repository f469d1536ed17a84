import type { Command } from 'commander'
import type { ObjectKind } from '../objects.js'
import { refuseWhileServed } from '../queues/drop-guard.js'
import { listWorkers } from '../queues/workers.js'
import { nameParser, withContext } from './global-options.js'
import { parseKind } from './kind-argument.js'
import { print } from './output.js'

export function addDropCommand(program: Command): void {
  program
    .command('drop')
    .description('delete one object with everything in it (mp.drop)')
    .argument('<kind>', 'its kind (queue, joinable-queue, dict, lock, …)', parseKind)
    .argument('<name>', 'its name', nameParser('name'))
    .option('--force', 'delete a joinable queue even while live workers serve it')
    .action(
      async (kind: ObjectKind, name: string, options: { force?: boolean }, command: Command) => {
        await withContext(command, async (mp, { json }) => {
          // The library's own check, worded for the command line.
          if (kind === 'joinable-queue' && options.force !== true) {
            refuseWhileServed(await listWorkers(mp, name), `${kind} '${name}'`, 'use --force')
          }
          const deleted = await mp.drop(kind, name, { force: true })
          const result = { kind, name, namespace: mp.options.namespace, deleted }
          print(json, result, () => `dropped ${kind} '${name}': ${keysText(deleted)} deleted`)
        })
      },
    )
}

/** `1 key`, `3 keys`. */
export function keysText(count: number): string {
  return count === 1 ? '1 key' : `${count} keys`
}
