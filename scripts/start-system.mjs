#!/usr/bin/env node
// `npm start`: the whole system on this machine. Finds Redis (REDIS_URL, else
// 127.0.0.1:6379, else a private redis-server), starts the producer, two
// consumers (and the api once it is built), prints the URLs and the authkey
// once, submits a small demo workload, and on Ctrl-C stops what it started.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { chooseRedis } from './redis.mjs'

const root = new URL('..', import.meta.url)
const authkey = process.env.REDPROC_AUTHKEY || randomBytes(24).toString('base64url')
const namespace = process.env.REDPROC_NAMESPACE || 'default'
const producerPort = Number(process.env.PRODUCER_PORT || 3001)
const apiPort = Number(process.env.API_PORT || 3000)

const redis = await chooseRedis('embedded')
const env = {
  ...process.env,
  REDIS_URL: redis.url,
  REDPROC_AUTHKEY: authkey,
  REDPROC_NAMESPACE: namespace,
}
const children = []

/** Starts `node <args>` in a process group of its own, so Ctrl-C reaches it once, from us. */
function start(name, args, extraEnv = {}) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const exited = new Promise((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal)),
  )
  const entry = { name, child, exited, lines: [] }
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      entry.lines.push(line)
      for (const wait of waiters) wait()
      console.log(`[${name}] ${readable(line)}`)
    })
  }
  children.push(entry)
  console.log(`[${name}] started (pid ${child.pid})`)
  return entry
}

const waiters = new Set()
/** Resolves with the first line `entry` logged containing `text`; fails if it exits first. */
function logged(entry, text) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = entry.lines.find((candidate) => candidate.includes(text))
      if (line) done(() => resolve(line))
      else if (entry.child.exitCode !== null) done(() => reject(new Error(`${entry.name} exited`)))
    }
    const done = (settle) => {
      waiters.delete(check)
      settle()
    }
    waiters.add(check)
    entry.exited.then(check)
    check()
  })
}

/** A JSON log line as `level msg key=value …`, the way a person reads it. */
function readable(line) {
  let parsed
  try {
    parsed = JSON.parse(line)
  } catch {
    return line
  }
  const { level, time, pid, hostname, name, msg, req, res, responseTime, err, error, ...rest } =
    parsed
  const levels = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
  const fields = Object.entries(rest).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  )
  if (req && res)
    fields.unshift(`${req.method} ${req.url} → ${res.statusCode} in ${responseTime} ms`)
  const failure = error ?? err
  if (failure) fields.push(`error=${failure.code ?? failure.type ?? ''} ${failure.message}`)
  return [levels[level] ?? level, msg, ...fields].join(' ')
}

let stopping
async function stopAll(code) {
  stopping ??= (async () => {
    for (const { child } of children)
      if (child.exitCode === null) process.kill(child.pid, 'SIGTERM')
    await Promise.all(children.map((c) => c.exited))
    await redis.stop()
    process.exit(code)
  })()
  return stopping
}
let signals = 0
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (++signals === 1) {
      console.log('\nredproc: stopping (Ctrl-C again to force)…')
      stopAll(0)
    } else {
      for (const { child } of children)
        if (child.exitCode === null) process.kill(child.pid, 'SIGKILL')
    }
  })
}

try {
  const producer = start('producer', ['services/producer/dist/main.js'], {
    PORT: String(producerPort),
  })
  const consumers = [1, 2].map((n) =>
    start(`consumer-${n}`, ['services/consumer', '--concurrency', '4']),
  )
  const apiBuilt = existsSync(new URL('services/api/dist/main.js', root))
  const api = apiBuilt
    ? start('api', ['services/api/dist/main.js'], { PORT: String(apiPort) })
    : undefined
  const [listening] = await Promise.all([
    logged(producer, 'producer listening'),
    ...consumers.map((c) => logged(c, 'consumer started')),
    ...(api ? [logged(api, 'listening')] : []),
  ])
  const producerUrl = JSON.parse(listening).url
  console.log(`
redproc is running — Redis: ${redis.description}, namespace '${namespace}'
  producer   ${producerUrl}   (POST /v1/queues/tasks/jobs, GET /v1/queues/tasks/jobs/:id?wait=5000)
  consumers  2 processes on queue 'tasks', concurrency 4 each${api ? `\n  api        http://127.0.0.1:${apiPort}` : ''}
  authkey    ${authkey}${process.env.REDPROC_AUTHKEY ? ' (from REDPROC_AUTHKEY)' : ' (generated; set REDPROC_AUTHKEY to choose one)'}

  curl -H "Authorization: Bearer ${authkey}" -H 'content-type: application/json' \\
       -d '{"task":"double","args":[21]}' ${producerUrl}/v1/queues/tasks/jobs

Ctrl-C stops everything this started.
`)
  await demo(producerUrl)
} catch (error) {
  console.error(`redproc: could not start the system: ${error.message}`)
  await stopAll(1)
}

/** A small workload, so that something visible happens: quick, I/O-like, CPU-bound and failing jobs. */
async function demo(url) {
  const headers = { authorization: `Bearer ${authkey}`, 'content-type': 'application/json' }
  const jobs = [
    ...Array.from({ length: 16 }, (_, i) => ({ task: 'double', args: [i] })),
    { task: 'io', args: [200, 'answered like a remote service'] },
    { task: 'cpu', args: [300] },
    { task: 'fail', args: ['this demo job fails on purpose'], opts: { attempts: 2, backoff: 100 } },
  ]
  const started = performance.now()
  const put = await fetch(`${url}/v1/queues/tasks/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jobs }),
  })
  const { ids } = await put.json()
  await fetch(`${url}/v1/queues/tasks/join?timeout=30000`, { method: 'POST', headers })
  const last = await (await fetch(`${url}/v1/queues/tasks/jobs/${ids[15]}`, { headers })).json()
  const failed = await (
    await fetch(`${url}/v1/queues/tasks/jobs/${ids.at(-1)}`, { headers })
  ).json()
  console.log(
    `demo: ${ids.length} jobs done in ${Math.round(performance.now() - started)} ms; ` +
      `job ${last.id} double(15) = ${last.result}; job ${failed.id} ${failed.state} after ${failed.attemptsMade} attempts: ${failed.error?.message}`,
  )
}
