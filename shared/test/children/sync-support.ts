// Shared by the synchronization tests and their children (not a child itself).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type Context, connect } from '../../src/index.js'
import { redisTarget, type Topology } from '../support/redis.js'

/** A child's context: argv is `<topology> <namespace> ...rest`. */
export async function childContext(): Promise<{ mp: Context; args: string[] }> {
  const [topology, namespace, ...args] = process.argv.slice(2)
  const mp = await connect({ redis: redisTarget(topology as Topology), namespace })
  return { mp, args }
}

/**
 * Waits until `check` holds, checking every 10 ms: how a test waits for a
 * state it cannot be told about (a waiter listed in Redis), never a fixed sleep.
 */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface RunningChild {
  pid: number
  /** Settles when the child exits, with its output. */
  exited: Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
  }>
  hasExited(): boolean
}

/** Starts `test/children/<name>.ts` and returns at once, so a test can act while it runs. */
export function startChild(name: string, args: string[], timeoutMs = 30_000): RunningChild {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  })
  let stdout = ''
  let stderr = ''
  let done = false
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exited = new Promise<Awaited<RunningChild['exited']>>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      done = true
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { pid: child.pid ?? -1, exited, hasExited: () => done }
}
