import { InvalidArgumentError } from 'commander'
import { OBJECT_KINDS, type ObjectKind } from '../objects.js'

/** An object kind given on the command line; the usage error lists the kinds. */
export function parseKind(value: string): ObjectKind {
  if (!(OBJECT_KINDS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown kind '${value}': use one of ${OBJECT_KINDS.join(', ')}`)
  }
  return value as ObjectKind
}
