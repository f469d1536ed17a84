import type { Command } from 'commander'
import { listObjects, type ObjectKind } from '../objects.js'
import { withContext } from './global-options.js'
import { parseKind } from './kind-argument.js'
import { print, table } from './output.js'

export function addLsCommand(program: Command): void {
  program
    .command('ls')
    .description('the objects of the namespace that hold something, with their keys')
    .argument('[kind]', 'only objects of this kind (queue, dict, lock, …)', parseKind)
    .action(async (kind: ObjectKind | undefined, _options, command: Command) => {
      await withContext(command, async (mp, { json }) => {
        const objects = await listObjects(mp, kind)
        const what = kind === undefined ? 'objects' : `${kind} objects`
        print(json, objects, (paint) =>
          table(
            [{ heading: 'KIND' }, { heading: 'NAME' }, { heading: 'KEYS', align: 'right' }],
            objects.map((object) => [object.kind, object.name, String(object.keys)]),
            paint,
            `no ${what} in namespace '${mp.options.namespace}'`,
          ),
        )
      })
    })
}
