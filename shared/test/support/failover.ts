import type { TestContext } from 'node:test'
import type { Redis } from 'ioredis'
import type { RedisTarget } from '../../src/index.js'
import { freePort, type PrivateRedis, spawnServer, startPrivateRedis } from './private-redis.js'
import { until } from './until.js'

const MASTER_NAME = 'failover'

/** A master, two replicas and three Sentinels (quorum 2), all private to one test. */
export interface ReplicatedRedis {
  master: PrivateRedis
  replicas: PrivateRedis[]
  /** What `connect({ redis })` takes to follow the master through a failover. */
  target: RedisTarget
  /** Resolves once the Sentinels name a replica as the master. */
  promoted(timeoutMs: number): Promise<void>
}

/**
 * Starts the set and waits until the replicas are in sync and every Sentinel
 * knows the others, so that a failover can happen: a master seen down for
 * 1 s is replaced by a replica, and the other replica follows the new master
 * (so writes that wait for one replica can go on).
 */
export async function startReplicatedRedis(t: TestContext): Promise<ReplicatedRedis> {
  const master = await startPrivateRedis(t)
  const replicaOf = ['--replicaof', '127.0.0.1', String(master.port)]
  const replicas = [
    await startPrivateRedis(t, undefined, replicaOf),
    await startPrivateRedis(t, undefined, replicaOf),
  ]
  for (const replica of replicas) {
    await until(
      async () => /master_link_status:up/.test(await replica.admin.info('replication')),
      'the replicas to sync',
    )
  }
  const ports = await Promise.all([freePort(), freePort(), freePort()])
  const sentinels = await Promise.all(ports.map((port) => startSentinel(t, port, master.port)))
  await until(async () => {
    const known = await Promise.all(
      sentinels.map((s) => s.call('SENTINEL', 'SENTINELS', MASTER_NAME) as Promise<unknown[]>),
    )
    return known.every((others) => others.length === 2)
  }, 'the Sentinels to know each other')
  return {
    master,
    replicas,
    target: { sentinels: ports.map((port) => ({ host: '127.0.0.1', port })), name: MASTER_NAME },
    async promoted(timeoutMs) {
      await until(
        async () => {
          const address = (await sentinels[0]?.call(
            'SENTINEL',
            'GET-MASTER-ADDR-BY-NAME',
            MASTER_NAME,
          )) as [string, string]
          return replicas.some((replica) => Number(address[1]) === replica.port)
        },
        'the Sentinels to promote a replica',
        timeoutMs,
      )
    },
  }
}

async function startSentinel(t: TestContext, port: number, masterPort: number): Promise<Redis> {
  const config = [
    `port ${port}`,
    'bind 127.0.0.1',
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 5000`,
    '',
  ].join('\n')
  const { admin } = await spawnServer(t, {
    port,
    args: ['--sentinel'],
    config,
    what: `a Sentinel to answer on port ${port}`,
  })
  return admin
}
