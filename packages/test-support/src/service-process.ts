import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

/** One JSON log line of a service. */
export type LogLine = Record<string, unknown> & { msg?: string }

/** The root of the repository, where `node services/consumer` is run from. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** A service started as its own process, as a user starts it. */
export interface ServiceProcess {
  readonly pid: number
  readonly child: ChildProcess
  /** Every JSON line it logged so far. */
  readonly lines: LogLine[]
  /** Its stderr so far. */
  stderr(): string
  /** Resolves with the first line (logged so far or later) that `match` accepts. */
  line(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>
  signal(signal: NodeJS.Signals): void
}

/**
 * Runs `node <args>` from the repository root with `env` added, its stdout
 * read as JSON log lines. SIGKILLed when the test ends if it still runs, so
 * no process outlives its test.
 */
export function startProcess(
  t: TestContext,
  args: string[],
  env: Record<string, string | undefined>,
): ServiceProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: LogLine[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine)
    } catch {
      lines.push({ msg: text })
    }
    for (const wake of waiters) wake()
  })
  // 'close', not 'exit': every line it wrote has been read by then.
  const exited = once(child, 'close').then(([code, signal]) => (code ?? signal) as number | string)
  const running = () => child.exitCode === null && child.signalCode === null
  t.after(async () => {
    if (running()) child.kill('SIGKILL')
    await exited
  })
  return {
    pid: child.pid as number,
    child,
    lines,
    stderr: () => stderr,
    exited,
    signal: (signal) => {
      if (running()) child.kill(signal)
    },
    line(match, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const finish = (settle: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          settle()
        }
        const check = () => {
          const found = lines.find(match)
          if (found) finish(() => resolve(found))
          else if (!running()) finish(() => reject(new Error(`exited before ${what}: ${stderr}`)))
        }
        const timer = setTimeout(
          () => finish(() => reject(new Error(`timed out waiting for ${what}: ${stderr}`))),
          timeoutMs,
        )
        waiters.add(check)
        exited.then(() => waiters.has(check) && check())
        check()
      })
    },
  }
}
