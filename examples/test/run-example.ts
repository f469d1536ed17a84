import { spawn } from 'node:child_process'

// The examples' own small runner, built like runChild in the shared package's
// test support: these tests run the examples as a user would, through npm.

export interface ExampleResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  elapsedMs: number
  /** stdout, line by line. */
  lines: string[]
}

/**
 * Runs `npm run <name> -- <args>` in this workspace as a real process and
 * resolves once it has exited and all its output is read. After `timeoutMs`
 * its whole process group is SIGKILLed: npm runs the example in a process of
 * its own, which killing npm alone would leave running.
 */
export function runExample(
  name: string,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<ExampleResult> {
  const started = Date.now()
  const child = spawn('npm', ['run', '--silent', name, '--', ...args], {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own, for the kill above
  })
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL')
    } catch {
      // the group has already exited
    }
  }, timeoutMs)
  // 'close', not 'exit': only then is all of its output read.
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const elapsedMs = Date.now() - started
      resolve({ code, signal, stdout, stderr, elapsedMs, lines: stdout.trimEnd().split('\n') })
    })
  })
}
