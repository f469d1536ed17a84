/**
 * The parent side of benchmark child processes: start one, wait until it is
 * ready, follow its running count, stop it and collect its final figures.
 * Every live child is tracked so that a failing or interrupted benchmark
 * never leaves one behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export type ChildMessage = { type: string } & Record<string, unknown>

const live = new Set<ChildProcess>()

/** Kills every child still running; for cleanup after a failure. */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL')
}

/** Counts `child` as live until it exits, so that killAllChildren() reaches it. */
export function trackChild(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
}

const sources = new URL('./children/', import.meta.url)
const built = new URL('../dist/children/', import.meta.url)

/**
 * A command running `bench/src/children/<name>.ts`, compiled, with plain node:
 * a consumer's RSS is then what a deployed consumer's would be, without the
 * ~30 MB of an on-the-fly TypeScript loader.
 */
export function tsChild(name: string, args: Record<string, string | number | boolean>): string[] {
  const profileName =
    nodeFlags.length > 0 ? ['--cpu-prof-name', `${name}-${++childCounter}.cpuprofile`] : []
  return [
    process.execPath,
    ...nodeFlags,
    ...profileName,
    fileURLToPath(new URL(`${name}.js`, built)),
    ...flags(args),
  ]
}

let nodeFlags: string[] = []
let childCounter = 0

/** Node flags for the children started from now on (CPU profiling). */
export function setChildNodeFlags(flags: string[]): void {
  nodeFlags = flags
}

/** Compiles the children (`npm run build --workspace bench`) when their build is missing or older than a source. */
export function ensureChildrenBuilt(): void {
  const newest = (dir: URL, ext: string) =>
    existsSync(dir)
      ? Math.max(
          0,
          ...readdirSync(dir)
            .filter((f) => f.endsWith(ext))
            .map((f) => statSync(new URL(f, dir)).mtimeMs),
        )
      : 0
  const sourceNames = readdirSync(sources).filter((f) => f.endsWith('.ts'))
  const complete = sourceNames.every((f) => existsSync(new URL(f.replace(/\.ts$/, '.js'), built)))
  if (complete && newest(built, '.js') >= newest(sources, '.ts')) return
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'))
  const project = fileURLToPath(new URL('../tsconfig.build.json', import.meta.url))
  const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' })
  const missing = sourceNames.filter((f) => !existsSync(new URL(f.replace(/\.ts$/, '.js'), built)))
  if (missing.length > 0)
    throw new Error(`building the benchmark children failed:\n${result.stdout}${result.stderr}`)
}

/** A command running `bench/python/<name>.py`. */
export function pythonChild(python: string, name: string, args: string[]): string[] {
  const script = fileURLToPath(new URL(`../python/${name}.py`, import.meta.url))
  return [python, script, ...args]
}

function flags(args: Record<string, string | number | boolean>): string[] {
  return Object.entries(args).flatMap(([key, value]) =>
    value === false ? [] : value === true ? [`--${key}`] : [`--${key}`, String(value)],
  )
}

export class BenchChild extends EventEmitter {
  /** The child's latest running total of finished items. */
  count = 0
  readonly messages: ChildMessage[] = []
  private stderr = ''
  private exitInfo: string | undefined
  private readonly exited: Promise<void>

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    super()
    trackChild(child)
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = `${label} exited with ${code ?? signal}${this.stderr ? `: ${this.stderr.trim().slice(-2000)}` : ''}`
        this.emit('exit', this.exitInfo)
        resolve()
      }),
    )
    child.once('error', (error) => {
      this.stderr += String(error)
    })
    child.stderr?.on('data', (chunk) => {
      this.stderr += chunk
    })
    let buffered = ''
    child.stdout?.on('data', (chunk) => {
      buffered += chunk
      let newline = buffered.indexOf('\n')
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim()
        buffered = buffered.slice(newline + 1)
        newline = buffered.indexOf('\n')
        if (line) this.receive(line)
      }
    })
    // Writing to a child that died is reported by 'exit'; ignore the pipe error.
    child.stdin?.on('error', () => {})
  }

  /** Starts a child without waiting for anything. */
  static spawn(label: string, command: string[]): BenchChild {
    const [file, ...args] = command as [string, ...string[]]
    return new BenchChild(
      label,
      spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env }),
    )
  }

  /** Starts a child and waits for its `ready` message. */
  static async start(
    label: string,
    command: string[],
    readyTimeoutMs = 60_000,
  ): Promise<BenchChild> {
    const child = BenchChild.spawn(label, command)
    try {
      await child.next('ready', readyTimeoutMs)
    } catch (error) {
      child.kill()
      throw error
    }
    return child
  }

  /** Resolves with the next message of `type`; rejects if the child exits first. */
  next(type: string, timeoutMs: number): Promise<ChildMessage> {
    const seen = this.messages.find((m) => m.type === type)
    if (seen) return Promise.resolve(seen)
    if (this.exitInfo) return Promise.reject(new Error(this.exitInfo))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`${this.label} sent no '${type}' within ${timeoutMs} ms`))
      }, timeoutMs)
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type) return
        cleanup()
        resolve(message)
      }
      const onExit = (info: string) => {
        cleanup()
        reject(new Error(info))
      }
      const cleanup = () => {
        clearTimeout(timer)
        this.off('message', onMessage)
        this.off('exit', onExit)
      }
      this.on('message', onMessage)
      this.once('exit', onExit)
    })
  }

  /** Asks the child to stop (closes its stdin) and returns its `done` message. */
  async stop(timeoutMs = 15_000): Promise<ChildMessage> {
    this.child.stdin?.end()
    try {
      const done = await this.next('done', timeoutMs)
      await this.exited
      return done
    } finally {
      this.kill()
    }
  }

  /** Waits up to `timeoutMs` for the child to exit by itself. */
  async exit(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.exited,
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      }),
    ])
    clearTimeout(timer)
  }

  /** The child's process id: for reading its memory from /proc. */
  get pid(): number | undefined {
    return this.child.pid
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }

  private receive(line: string): void {
    let message: ChildMessage
    try {
      message = JSON.parse(line)
    } catch {
      this.stderr += `${line}\n`
      return
    }
    this.messages.push(message)
    if (message.type === 'count') this.count = Number(message.count)
    this.emit('message', message)
  }
}

/** Starts several children at once and waits until all are ready. */
export async function startChildren(
  count: number,
  label: string,
  command: (index: number) => string[],
): Promise<BenchChild[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => BenchChild.start(`${label} #${i + 1}`, command(i))),
  )
  const failure = started.find((s) => s.status === 'rejected')
  if (failure) {
    for (const s of started) if (s.status === 'fulfilled') s.value.kill()
    throw failure.reason
  }
  return started.map((s) => (s as PromiseFulfilledResult<BenchChild>).value)
}

/** Resolves once the children's counts add up to `total`; rejects if one exits or time runs out. */
export function waitForTotal(
  children: BenchChild[],
  total: number,
  timeoutMs: number,
): Promise<void> {
  const sum = () => children.reduce((acc, c) => acc + c.count, 0)
  if (sum() >= total) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        finish(new Error(`consumers finished ${sum()} of ${total} items within ${timeoutMs} ms`)),
      timeoutMs,
    )
    const onMessage = () => {
      if (sum() >= total) finish()
    }
    const onExit = (info: string) => finish(new Error(info))
    const finish = (error?: Error) => {
      clearTimeout(timer)
      for (const c of children) {
        c.off('message', onMessage)
        c.off('exit', onExit)
      }
      if (error) reject(error)
      else resolve()
    }
    for (const c of children) {
      c.on('message', onMessage)
      c.once('exit', onExit)
    }
  })
}

/** Stops every child and returns their `done` messages. */
export async function stopChildren(children: BenchChild[]): Promise<ChildMessage[]> {
  const settled = await Promise.allSettled(children.map((c) => c.stop()))
  const failure = settled.find((s) => s.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map((s) => (s as PromiseFulfilledResult<ChildMessage>).value)
}

/** Runs a one-shot child (a Python script) until it prints its `result` message. */
export async function runToResult(
  label: string,
  command: string[],
  timeoutMs: number,
): Promise<ChildMessage> {
  const child = BenchChild.spawn(label, command)
  try {
    const result = await child.next('result', timeoutMs)
    await child.exit(10_000)
    return result
  } finally {
    child.kill()
  }
}
