#!/usr/bin/env node
// Runs a command with REDIS_URL (and, with --cluster, REDIS_CLUSTER_NODES) set,
// starting a Redis for it when none is given, and stopping it afterwards.
//   node scripts/with-redis.mjs [--embedded] [--cluster] -- <command...>
import { spawn } from 'node:child_process'
import { chooseCluster, chooseRedis } from './redis.mjs'

const separator = process.argv.indexOf('--')
const flags = process.argv.slice(2, separator < 0 ? undefined : separator)
const command = separator < 0 ? [] : process.argv.slice(separator + 1)
if (command.length === 0) {
  console.error('usage: node scripts/with-redis.mjs [--embedded] [--cluster] -- <command...>')
  process.exit(2)
}

const redis = await chooseRedis(flags.includes('--embedded') ? 'embedded' : 'test')
const cluster = flags.includes('--cluster') ? await chooseCluster() : undefined
console.log(`redproc: using ${redis.description}${cluster ? ` and ${cluster.description}` : ''}`)

const env = { ...process.env, REDIS_URL: redis.url }
if (cluster) env.REDIS_CLUSTER_NODES = cluster.nodes
const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
const code = await new Promise((resolve) =>
  child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
)
await Promise.all([redis.stop(), cluster?.stop()])
process.exit(code)
