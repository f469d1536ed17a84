#!/usr/bin/env node
// Runs a command with REDIS_URL set — and, when asked, REDIS_CLUSTER_NODES and
// REDIS_SENTINEL — starting what is not given, and stopping it afterwards.
//   node scripts/with-redis.mjs [--embedded] [--cluster] [--sentinel] -- <command...>
import { spawn } from 'node:child_process'
import { chooseCluster, chooseRedis, startSentinel } from './redis.mjs'

const separator = process.argv.indexOf('--')
const flags = process.argv.slice(2, separator < 0 ? undefined : separator)
const command = separator < 0 ? [] : process.argv.slice(separator + 1)
if (command.length === 0) {
  console.error(
    'usage: node scripts/with-redis.mjs [--embedded] [--cluster] [--sentinel] -- <command...>',
  )
  process.exit(2)
}

const started = []
const env = { ...process.env }
try {
  const redis = await chooseRedis(flags.includes('--embedded') ? 'embedded' : 'test')
  started.push(redis)
  env.REDIS_URL = redis.url
  if (flags.includes('--cluster')) {
    const cluster = await chooseCluster()
    started.push(cluster)
    env.REDIS_CLUSTER_NODES = cluster.nodes
  }
  if (flags.includes('--sentinel')) {
    const sentinel = await startSentinel(redis.url)
    started.push(sentinel)
    env.REDIS_SENTINEL = sentinel.address
  }
} catch (error) {
  await stopAll()
  throw error
}
console.log(`redproc: using ${started.map((s) => s.description).join(', ')}`)

const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
const code = await new Promise((resolve) =>
  child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
)
await stopAll()
process.exit(code)

async function stopAll() {
  await Promise.all(started.map((s) => s.stop()))
}
