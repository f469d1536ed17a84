import { readFileSync } from 'node:fs'
import { connect } from '@redproc/shared'
import { Redis } from 'ioredis'
import {
  type ConsumerHost,
  makeHosts,
  netnsUnavailable,
} from '../../../shared/test/support/netns.js'
import { makeItems, runTimeoutMs } from '../items.js'
import { redisCpuMs } from '../private-redis.js'
import { startChildren, stopChildren, tsChild } from '../processes.js'
import { perSecond } from '../stats.js'
import type { BenchEnv, Contender, Workload } from '../workload.js'
import { CONSUMER_CONCURRENCY } from './end-to-end.js'

/** Latency each consumer host's link adds to a round trip, ms. */
const DELAY_MS = 2
const HOSTS = [1, 2, 4]

/** Why this machine cannot run the workload (not root, no iproute2), or undefined. */
export const scaleOutUnavailable = netnsUnavailable()

/** Workload 10: one joinable queue drained by consumers on 1, 2 and 4 hosts. */
export const scaleOut: Workload = {
  id: 'scale-out',
  title: 'Joinable queue, consumers on 1, 2 and 4 hosts',
  description: `Workload 1 with each consumer process on a host of its own: a network namespace joined to the Redis host by a veth pair that adds ${DELAY_MS} ms to every round trip (\`tc netem\`, or a relay in the benchmark process holding each chunk the host sends, on kernels without netem). One consumer process per host, ${CONSUMER_CONCURRENCY} items in flight each; the producer puts N items in one batch and waits in \`join\`. Redis CPU per item is the \`used_cpu_user + used_cpu_sys\` delta of the redis-server over that interval, divided by N; "Redis busy" is that CPU as a share of one core, "machine busy" the share of all cores not idle (\`/proc/stat\`: every process of the machine, this run's and any other). All hosts share this machine's cores with Redis and the producer, so throughput stops growing where the cores run out, not where Redis does.`,
  metrics: [
    { key: 'throughput', label: 'end to end', unit: 'items/s', better: 'higher', ratio: false },
    {
      key: 'redisUsPerItem',
      label: 'Redis CPU per item',
      unit: 'µs',
      better: 'lower',
      ratio: false,
    },
    {
      key: 'redisBusyPct',
      label: 'Redis busy',
      unit: '% of a core',
      better: 'lower',
      ratio: false,
    },
    {
      key: 'machineBusyPct',
      label: 'machine busy',
      unit: '% of all cores',
      better: 'lower',
      ratio: false,
    },
  ],
  contenders: HOSTS.map(hostsContender),
}

function hostsContender(count: number): Contender {
  return {
    name: `${count} consumer host${count === 1 ? '' : 's'}`,
    note: `${count} namespace${count === 1 ? '' : 's'}, \`ip netns exec\` a consumer in each: \`get\` + \`taskDone\`; \`putMany\` → \`join\``,
    run: (env) => drainFromHosts(env, count),
  }
}

async function drainFromHosts(env: BenchEnv, count: number): Promise<Record<string, number>> {
  if (scaleOutUnavailable) throw new Error(scaleOutUnavailable)
  const admin = new Redis(env.redisUrl)
  const network = await makeHosts(count, DELAY_MS, { port: env.redisPort, admin })
  const name = 'jobs'
  try {
    const consumers = await startChildren(count, 'consumer host', (i) => {
      const host = network.hosts[i] as ConsumerHost
      return host.exec(
        tsChild('consumer-redproc-joinable', {
          redis: host.redisUrl,
          namespace: env.runId,
          name,
          concurrency: CONSUMER_CONCURRENCY,
        }),
      )
    })
    const mp = await connect({ redis: env.redisUrl, namespace: env.runId })
    const queue = mp.joinableQueue(name)
    const items = makeItems(env.n)
    const cpuBefore = await redisCpuMs(admin)
    const machineBefore = machineTicks()
    const started = performance.now()
    try {
      await queue.putMany(items)
      await queue.join({ timeout: runTimeoutMs(env) })
    } finally {
      await queue.close()
      await mp.close()
    }
    const elapsedMs = performance.now() - started
    const machine = machineTicks()
    const redisMs = (await redisCpuMs(admin)) - cpuBefore
    const done = await stopChildren(consumers)
    return {
      throughput: perSecond(env.n, elapsedMs),
      redisUsPerItem: (redisMs * 1000) / env.n,
      redisBusyPct: (redisMs / elapsedMs) * 100,
      machineBusyPct:
        ((machine.busy - machineBefore.busy) / (machine.total - machineBefore.total)) * 100,
      // start-up included: for the report's CPU line, not a figure per item
      consumerCpuMs: done.reduce((sum, d) => sum + Number(d.cpuMs), 0),
    }
  } finally {
    await network.remove()
    admin.disconnect()
  }
}

/** CPU ticks of the whole machine since boot (`/proc/stat`): all, and those not idle. */
function machineTicks(): { total: number; busy: number } {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/)
  const ticks = fields.filter(Boolean).map(Number)
  const total = ticks.reduce((sum, t) => sum + t, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return { total, busy: total - idle }
}
