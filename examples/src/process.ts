import { spawn } from 'node:child_process'

/**
 * Python's `Process(target=…).start()` for these examples: runs `script` in a
 * new Node process (under the same TypeScript loader as this one). `exited`
 * resolves with its exit code; `stop()` asks it to finish (SIGTERM).
 */
export function startProcess(
  script: URL | string,
  args: string[] = [],
): { pid: number; exited: Promise<number>; stop(): void } {
  const path = script instanceof URL ? script.pathname : script
  const child = spawn(process.execPath, [...process.execArgv, path, ...args], { stdio: 'inherit' })
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve(code ?? 1))
  })
  return { pid: child.pid ?? -1, exited, stop: () => child.kill('SIGTERM') }
}
