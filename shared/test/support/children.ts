import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  elapsedMs: number
}

/**
 * Runs `test/children/<name>.ts` in a new Node process, the way a second
 * program on another machine would run: its own process, its own connections.
 */
export function runChild(
  name: string,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<ChildResult> {
  const script = fileURLToPath(new URL(`../children/${name}.ts`, import.meta.url))
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started })
    })
  })
}

/** Fails with the child's own output when it did not exit cleanly. */
export function assertExitedCleanly(result: ChildResult): void {
  if (result.code !== 0) {
    throw new Error(
      `child exited with ${result.code ?? result.signal}\n${result.stderr}${result.stdout}`,
    )
  }
}
