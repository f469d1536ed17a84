/**
 * The services as they are deployed: each its own process running its
 * compiled `dist/main.js` with plain node, configured by flags and
 * environment, tracked so that a failing run leaves none behind.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { trackChild } from './processes.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Log lines kept for line(): the start-up lines come first, and a long run must not hoard the rest. */
const KEPT_LINES = 200
/** pino's level number of `warn`. */
const WARN = 40

export interface Service {
  readonly child: ChildProcess
  /** Log lines at warn or above so far; the first few are kept in `warningLines`. */
  readonly warnings: number
  readonly warningLines: string[]
  /** Resolves with the first log line whose `msg` is `msg`; rejects if the service exits first. */
  line(msg: string): Promise<Record<string, unknown>>
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with how the process ended. */
  stop(timeoutMs?: number): Promise<string>
}

/** The `main.js` of a built service (`api`, `consumer`, `producer`); fails clearly when not built. */
export function serviceMain(name: string): string {
  const main = `services/${name}/dist/main.js`
  if (!existsSync(join(ROOT, main))) {
    throw new Error(`${main} is missing: build first (npm run build at the repository root)`)
  }
  return main
}

/** Starts `node <args>` at the repository root; its stdout is read as pino's JSON lines. */
export function startService(args: string[], env: Record<string, string>): Service {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  trackChild(child)
  const lines: Record<string, unknown>[] = []
  const warningLines: string[] = []
  let warnings = 0
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  reader.on('line', (text) => {
    let line: Record<string, unknown>
    try {
      line = JSON.parse(text)
    } catch {
      return
    }
    if (lines.length < KEPT_LINES) lines.push(line)
    if (Number(line.level) >= WARN) {
      warnings++
      if (warningLines.length < 5) warningLines.push(text)
    }
  })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  return {
    child,
    get warnings() {
      return warnings
    },
    warningLines,
    async line(msg) {
      for (;;) {
        const found = lines.find((line) => line.msg === msg)
        if (found) return found
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${args[0]} exited before '${msg}'`)
        await Promise.race([once(reader, 'line'), exited])
      }
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const [code, signal] = await exited
      clearTimeout(killer)
      return code === null ? `signal ${signal}` : `exit code ${code}`
    },
  }
}

export interface ApiOptions {
  redisUrl: string
  namespace: string
  authkey: string
  /** Request logs are at info: a load generator wants them off. @default 'warn' */
  logLevel?: string
}

/** The api service on a free loopback port, ready (`/readyz` answers), its rate limit off. */
export async function startApi(options: ApiOptions): Promise<{ url: string; service: Service }> {
  const port = await freePort()
  const service = startService(
    [
      serviceMain('api'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--redis-url',
      options.redisUrl,
      '--namespace',
      options.namespace,
      '--rate-limit',
      '0',
      '--log-level',
      options.logLevel ?? 'warn',
    ],
    { REDPROC_AUTHKEY: options.authkey },
  )
  const url = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(`${url}/readyz`, service)
  } catch (error) {
    await service.stop(0)
    throw error
  }
  return { url, service }
}

/** A loopback port no one listens on now. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function waitUntilReady(url: string, service: Service): Promise<void> {
  const end = Date.now() + 20_000
  while (Date.now() < end) {
    if (service.child.exitCode !== null) throw new Error(`the service at ${url} exited`)
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the service did not become ready at ${url}`)
}

/**
 * A memory figure of process `pid` from /proc/<pid>/status, in kB: `VmRSS`
 * (resident now) or `VmHWM` (the peak); undefined once the process is gone.
 */
export function processMemoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb)
  } catch {
    return undefined
  }
}
