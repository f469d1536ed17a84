import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * Starts `test/children/<name>.ts` as a long-running process and resolves once
 * it prints `ready`. The test kills it (SIGKILL) if it is still running at the end.
 */
export async function startChild(
  t: TestContext,
  name: string,
  args: string[],
): Promise<ChildProcess> {
  const script = fileURLToPath(new URL(`../children/${name}.ts`, import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk
      if (output.includes('ready')) resolve()
    })
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code} before it was ready`)),
    )
  })
  return child
}

/** Resolves with the exit code once the child has exited. */
export async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
  const [code] = await once(child, 'exit')
  return code as number | null
}
