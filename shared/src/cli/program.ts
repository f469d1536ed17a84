import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { isRedprocError } from '../errors.js'
import { addDropCommand } from './drop.js'
import { addGlobalOptions } from './global-options.js'
import { addInspectCommand } from './inspect.js'
import { addLsCommand } from './ls.js'
import { paintFor } from './output.js'
import { addPurgeCommand } from './purge.js'
import { addServeCommand } from './serve.js'
import { addStatusCommand } from './status.js'

/** Exit codes: 0 done, 1 the command failed, 2 it was called wrongly. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string }

/** The `redproc` command with its subcommands. */
export function createProgram(): Command {
  const program = new Command('redproc')
    .description("Look into a redproc namespace on Redis, clean it up, or serve a queue's tasks.")
    .version(version)
    .exitOverride()
    .showHelpAfterError('(redproc --help shows the usage)')
    .configureOutput({
      outputError: (text, write) => write(paintFor(process.stderr)('red', text)),
    })
  addGlobalOptions(program)
  for (const add of [
    addStatusCommand,
    addLsCommand,
    addInspectCommand,
    addDropCommand,
    addPurgeCommand,
    addServeCommand,
  ]) {
    add(program)
  }
  return program
}

/**
 * Runs `redproc` on `argv` (without node and the script) and returns the exit
 * code. A failure is one line on stderr (JSON with `--json`), never a stack.
 */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return EXIT.ok
  } catch (error) {
    // Commander has printed its own message (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    reportFailure(error, program.opts<{ json?: boolean }>().json === true)
    return EXIT.failed
  }
}

function reportFailure(error: unknown, json: boolean): void {
  const code = isRedprocError(error) ? error.code : undefined
  const message = error instanceof Error ? error.message : String(error)
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: code ?? 'FAILED', message } })}\n`)
  } else {
    const paint = paintFor(process.stderr)
    process.stderr.write(`${paint('red', `redproc: ${code ? `${code}: ` : ''}${message}`)}\n`)
  }
}
