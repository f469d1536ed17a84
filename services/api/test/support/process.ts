import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

export interface ApiProcess {
  readonly child: ChildProcess
  /** Everything it printed so far, stdout and stderr. */
  output(): string
  /** The URL it listens on, from its "api listening" log line. */
  url(): Promise<string>
  exited: Promise<number | null>
}

/** `node dist/main.js <args>` — the built service, as `npm start` runs it — killed when the test ends. */
export function startApiProcess(
  t: TestContext,
  args: string[],
  env: Record<string, string>,
): ApiProcess {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  return {
    child,
    output: () => output,
    exited,
    async url() {
      const end = Date.now() + 20_000
      for (;;) {
        const match = /"url":"http:\/\/[^:]+:(\d+)\/"/.exec(output)
        if (match) return `http://127.0.0.1:${match[1]}`
        if (child.exitCode !== null) throw new Error(`the api exited: ${output}`)
        if (Date.now() > end) throw new Error(`the api did not start: ${output}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
  }
}
