import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ChildConfig } from './child-context.js'

export interface ChildResult {
  name: string
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  elapsedMs: number
}

/** Command-line arguments, or one config the child reads with `childContext()`. */
export type ChildArgs = string[] | ChildConfig

export interface RunningChild {
  readonly pid: number
  /** The next line the child prints. */
  nextLine(): Promise<string>
  /** The next line the child prints, parsed as JSON: what it `report()`ed. */
  next<T = unknown>(): Promise<T>
  /** Its last line parsed as JSON, once it exited cleanly; fails with its output otherwise. */
  result<T = unknown>(): Promise<T>
  /** Settles once the child has exited and all its output is read. */
  readonly exited: Promise<ChildResult>
  hasExited(): boolean
  kill(signal?: NodeJS.Signals): void
  /** Writes `line` to the child's stdin (started with `{ stdin: true }`). */
  send(line: string): void
}

export interface ChildOptions {
  /** Runs the child's command through this one: `ip netns exec NAME` runs it on another "host". */
  wrap?: (command: string[]) => string[]
  /** Gives the child a stdin the test writes to with `send()`. */
  stdin?: boolean
}

/**
 * Starts `test/children/<name>.ts` as a Node process of its own — its own
 * connections, as a second program on another machine would have — and
 * returns at once, so the test can act while it runs. The child is SIGKILLed
 * after `timeoutMs`, or when the test ends while it still runs.
 */
export function startChild(
  t: TestContext,
  name: string,
  args: ChildArgs = [],
  timeoutMs = 60_000,
  options: ChildOptions = {},
): RunningChild {
  const script = fileURLToPath(new URL(`../children/${name}.ts`, import.meta.url))
  const argv = Array.isArray(args) ? args : [JSON.stringify(args)]
  const started = Date.now()
  const command = [process.execPath, '--import', 'tsx', script, ...argv]
  const [file, ...rest] = (options.wrap?.(command) ?? command) as [string, ...string[]]
  const child = spawn(file, rest, { stdio: ['pipe', 'pipe', 'pipe'] })
  if (!options.stdin) child.stdin.end()
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  let stdout = ''
  let stderr = ''
  let linesRead = 0 // how far into stdout nextLine() has read
  let done = false
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  // 'close', not 'exit': only then is all of its output read.
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      done = true
      clearTimeout(timer)
      resolve({ name, code, signal, stdout, stderr, elapsedMs: Date.now() - started })
    })
  })
  t.after(async () => {
    if (done) return
    child.kill('SIGKILL')
    await exited
  })

  const nextLine = async (): Promise<string> => {
    for (;;) {
      const end = stdout.indexOf('\n', linesRead)
      if (end >= 0) {
        const line = stdout.slice(linesRead, end)
        linesRead = end + 1
        return line
      }
      if (done) throw new Error(`child ${name} ended without printing a line\n${stderr}${stdout}`)
      await Promise.race([once(child.stdout, 'data'), exited])
    }
  }
  return {
    pid: child.pid as number,
    nextLine,
    next: async <T>() => JSON.parse(await nextLine()) as T,
    async result<T>() {
      const result = await exited
      assertExitedCleanly(result)
      const last = result.stdout.trim().split('\n').pop() ?? ''
      try {
        return JSON.parse(last) as T
      } catch {
        throw new Error(`child ${name} printed no JSON result\n${result.stderr}${result.stdout}`)
      }
    },
    exited,
    hasExited: () => done,
    kill: (signal = 'SIGKILL') => child.kill(signal),
    send: (line) => child.stdin?.write(`${line}\n`),
  }
}

/** Runs a child to its end (see `startChild`); fails with its output unless it exits with 0. */
export async function runChild(
  t: TestContext,
  name: string,
  args: ChildArgs = [],
  timeoutMs?: number,
): Promise<ChildResult> {
  const result = await startChild(t, name, args, timeoutMs).exited
  assertExitedCleanly(result)
  return result
}

/** Runs one child per entry of `argsOfEach` side by side, each as `runChild` does. */
export function runChildren(
  t: TestContext,
  name: string,
  argsOfEach: ChildArgs[],
  timeoutMs?: number,
): Promise<ChildResult[]> {
  return Promise.all(argsOfEach.map((args) => runChild(t, name, args, timeoutMs)))
}

/** Fails with the child's own output when it did not exit with 0. */
export function assertExitedCleanly(result: ChildResult): void {
  if (result.code !== 0) {
    throw new Error(
      `child ${result.name} exited with ${result.code ?? result.signal}\n${result.stderr}${result.stdout}`,
    )
  }
}
