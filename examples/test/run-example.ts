import { spawn } from 'node:child_process'

/** Runs `npm run <name> -- <args>` in this workspace as a real process and collects its output lines. */
export function runExample(
  name: string,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const child = spawn('npm', ['run', '--silent', name, '--', ...args], {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'pipe', 'pipe'],
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
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, lines: stdout.trimEnd().split('\n'), stderr })
    })
  })
}
