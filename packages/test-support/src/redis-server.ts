import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

/** A redis-server of the test's own, with its data in a directory that outlives a restart. */
export interface RedisServer {
  readonly url: string
  readonly port: number
  /** Stops it: SIGKILL is a crash, SIGTERM a clean shutdown (the AOF is flushed either way with `always`). */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>
  /** Starts it again on the same port, from the same AOF, and waits until it answers. */
  start(): Promise<void>
}

/**
 * Starts a private redis-server with the append-only file on (fsync on
 * every write, so a SIGKILL loses nothing it acknowledged) on a free port;
 * it is stopped and its data removed when the test ends.
 */
export async function startRedisServer(t: TestContext): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'redproc-aof-'))
  let server: ChildProcess | undefined
  const start = async () => {
    server = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      ],
      { stdio: 'ignore' },
    )
    await untilAnswers(port)
  }
  const stop = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const running = server
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = once(running, 'exit')
    running.kill(signal)
    await exited
  }
  t.after(async () => {
    await stop('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, stop, start }
}

/** Waits until a PING on `port` is answered with PONG (30 s at most). */
async function untilAnswers(port: number): Promise<void> {
  const end = Date.now() + 30_000
  while (!(await pings(port))) {
    if (Date.now() > end) throw new Error(`redis-server did not answer on port ${port}`)
    await sleep(20)
  }
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    socket.setTimeout(1000, () => socket.destroy())
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) socket.end()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(reply.startsWith('+PONG')))
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
