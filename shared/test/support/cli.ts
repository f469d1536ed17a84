import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

/** The built `redproc` bin, where package.json's `bin` points: run as a program, shebang and all. */
const packageJson = new URL('../../package.json', import.meta.url)
const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { redproc: string } }
export const BIN = fileURLToPath(new URL(bin.redproc, packageJson))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunningCli {
  /** The next line it prints on stdout. */
  nextLine(): Promise<string>
  readonly exited: Promise<CliResult>
  kill(signal?: NodeJS.Signals): void
}

/**
 * Starts `redproc args…` as its own process, with `env` over this one's
 * (colours off unless asked for). Killed after `timeoutMs`, or when the test
 * ends while it still runs.
 */
export function startCli(
  t: TestContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): RunningCli {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: build the package first (npm run build)`)
  const inherited: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete inherited.FORCE_COLOR
  const child = spawn(BIN, args, {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  let stdout = ''
  let stderr = ''
  let read = 0
  let done = false
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      done = true
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  t.after(async () => {
    if (done) return
    child.kill('SIGKILL')
    await exited
  })
  return {
    async nextLine() {
      for (;;) {
        const end = stdout.indexOf('\n', read)
        if (end >= 0) {
          const line = stdout.slice(read, end)
          read = end + 1
          return line
        }
        if (done) throw new Error(`redproc ended without printing a line\n${stderr}${stdout}`)
        await Promise.race([once(child.stdout, 'data'), exited])
      }
    },
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  }
}

/** Runs `redproc args…` to its end. */
export function runCli(
  t: TestContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return startCli(t, args, env).exited
}

/** Runs `redproc args… --json`, asserting exit 0, and parses what it printed. */
export async function runCliJson<T = unknown>(
  t: TestContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<T> {
  const result = await runCli(t, [...args, '--json'], env)
  if (result.code !== 0) {
    throw new Error(`redproc ${args.join(' ')} exited with ${result.code}\n${result.stderr}`)
  }
  return JSON.parse(result.stdout) as T
}
