// Finds or starts the Redis that tests, examples and `npm start` talk to.
//   test:     REDIS_URL, else a throwaway container when a Docker engine answers,
//             else a private redis-server on a free port.
//   embedded: REDIS_URL, else whatever answers on 127.0.0.1:6379, else a private
//             redis-server.
//   cluster:  REDIS_CLUSTER_NODES, else three private cluster-enabled
//             redis-servers joined as a 3-master cluster.
//   sentinel: a private Sentinel watching the chosen Redis as master 'redproc'.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function chooseRedis(policy) {
  if (process.env.REDIS_URL) {
    return {
      url: process.env.REDIS_URL,
      description: `REDIS_URL (${process.env.REDIS_URL})`,
      stop: async () => {},
    }
  }
  if (policy === 'embedded' && (await answersPing(6379))) {
    return {
      url: 'redis://127.0.0.1:6379',
      description: 'the Redis on 127.0.0.1:6379',
      stop: async () => {},
    }
  }
  if (policy === 'test') {
    const container = await startContainer()
    if (container) return container
  }
  const server = await startRedisServer([])
  return { ...server, description: `a private redis-server on ${server.url}` }
}

export async function chooseCluster() {
  if (process.env.REDIS_CLUSTER_NODES) {
    const nodes = process.env.REDIS_CLUSTER_NODES
    return { nodes, description: `REDIS_CLUSTER_NODES (${nodes})`, stop: async () => {} }
  }
  const servers = []
  try {
    for (let i = 0; i < 3; i++) {
      servers.push(
        await startRedisServer(['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000']),
      )
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`)
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    await waitFor(async () => {
      const { stdout } = await run('redis-cli', ['-p', String(servers[0].port), 'cluster', 'info'])
      return stdout.includes('cluster_state:ok')
    }, 'the cluster to report cluster_state:ok')
    const nodes = addresses.join(',')
    return {
      nodes,
      description: `a private 3-master Redis Cluster on ${nodes}`,
      stop: () => Promise.all(servers.map((s) => s.stop())),
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()))
    throw error
  }
}

export async function startSentinel(redisUrl) {
  const master = new URL(redisUrl)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'redproc-sentinel-'))
  const config = join(dir, 'sentinel.conf')
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor redproc ${master.hostname} ${master.port || 6379} 1`,
    ].join('\n'),
  )
  const child = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' })
  const server = await supervise(child, port, dir)
  return {
    ...server,
    address: `127.0.0.1:${port}`,
    description: `a private Sentinel on 127.0.0.1:${port}`,
  }
}

async function startContainer() {
  let testcontainers
  try {
    testcontainers = await import('testcontainers')
    await testcontainers.getContainerRuntimeClient()
  } catch {
    return undefined // no Docker engine answers here
  }
  const container = await new testcontainers.GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .start()
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`
  return {
    url,
    description: `a Redis container (redis:7-alpine) on ${url}`,
    stop: () => container.stop(),
  }
}

export async function startRedisServer(extraArgs) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'redproc-redis-'))
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  )
  return { ...(await supervise(child, port, dir)), url: `redis://127.0.0.1:${port}` }
}

/** Waits until a spawned server answers; `stop` ends it and removes its folder. */
async function supervise(child, port, dir) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.once('error', () => {})
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(() => answersPing(port), `redis-server to answer on port ${port}`)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, stop }
}

export function answersPing(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function waitFor(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
