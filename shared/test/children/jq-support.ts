// Shared by the joinable-queue process tests and their children (not a child itself).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type Context, connect } from '../../src/index.js'
import type { ChildResult } from '../support/children.js'
import { redisTarget, type Topology } from '../support/redis.js'

/** What every child of these tests is told, as JSON in argv[2]. */
export interface JqChildConfig {
  topology: Topology
  namespace: string
  queue: string
  lease?: number
  [more: string]: unknown
}

/** In a child: its config and a context on the test's namespace. */
export async function childContext(): Promise<{ config: JqChildConfig; mp: Context }> {
  const config = JSON.parse(process.argv[2] ?? '{}') as JqChildConfig
  const mp = await connect({ redis: redisTarget(config.topology), namespace: config.namespace })
  return { config, mp }
}

/** In a child: one JSON line on stdout, which the test reads. */
export function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

export interface RunningChild {
  readonly pid: number
  /** The next JSON line the child reports. */
  next<T = unknown>(): Promise<T>
  kill(signal: NodeJS.Signals): void
  /** Resolves when the child exits (SIGKILLed after `timeoutMs`). */
  readonly exited: Promise<ChildResult>
}

/** In a test: starts `children/<name>.ts` as its own Node process and reads its reports. */
export function startChild(name: string, config: JqChildConfig, timeoutMs = 60_000): RunningChild {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started })
    })
  })
  return {
    pid: child.pid as number,
    async next<T>() {
      const line = await lines.next()
      if (line.done) {
        const result = await exited
        throw new Error(`child ${name} ended without reporting\n${result.stderr}`)
      }
      stdout += `${line.value}\n`
      return JSON.parse(line.value) as T
    },
    kill: (signal) => child.kill(signal),
    exited,
  }
}
