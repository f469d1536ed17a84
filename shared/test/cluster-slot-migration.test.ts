import assert from 'node:assert/strict'
import { it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Cluster, Redis } from 'ioredis'
import { isRedprocError } from '../src/index.js'
import { openContext } from './support/redis.js'
import { until } from './support/until.js'

interface Master {
  host: string
  port: number
  id: string
}

type SlotOwners = Array<{ start: number; end: number; master: Master }>

/** Which master serves each range of slots, from CLUSTER SLOTS. */
async function slotOwners(cluster: Cluster): Promise<SlotOwners> {
  const ranges = await cluster.cluster('SLOTS')
  return ranges.map(([start, end, node]) => {
    const [host, port, id] = node ?? ['', 0, '']
    return { start, end, master: { host, port, id } }
  })
}

function ownerOf(owners: SlotOwners, slot: number): Master {
  const range = owners.find(({ start, end }) => start <= slot && slot <= end)
  assert.ok(range, `slot ${slot} is served`)
  return range.master
}

/** An admin client of the master at `host:port`, closed with the test. */
function adminOf(host: string, port: number): Redis {
  return new Redis(port, host, { maxRetriesPerRequest: 1 })
}

/**
 * Moves `slot` from one master to another as `redis-cli --cluster reshard`
 * does: IMPORTING and MIGRATING, MIGRATE a few keys at a time (slowly, so the
 * clients meet ASK and TRYAGAIN along the way), then the slot's new owner
 * told to every master.
 */
async function migrateSlot(
  slot: number,
  from: { admin: Redis; id: string },
  to: { admin: Redis; id: string; host: string; port: number },
  masters: Redis[],
): Promise<number> {
  await to.admin.cluster('SETSLOT', slot, 'IMPORTING', from.id)
  await from.admin.cluster('SETSLOT', slot, 'MIGRATING', to.id)
  let moved = 0
  for (;;) {
    const keys = (await from.admin.cluster('GETKEYSINSLOT', slot, 5)) as string[]
    if (keys.length === 0) break
    await from.admin.migrate(to.host, to.port, '', 0, 5000, 'KEYS', ...keys)
    moved += keys.length
    await sleep(20)
  }
  for (const master of masters) await master.cluster('SETSLOT', slot, 'NODE', to.id)
  return moved
}

it('a joinable queue loses nothing while its hash slot moves to another master', async (t) => {
  const producer = await openContext(t, 'cluster')
  const consumer = await openContext(t, 'cluster', producer.options.namespace)
  const out = producer.joinableQueue<number>('moving')
  const into = consumer.joinableQueue<number>('moving', { lease: 2_000 })
  const cluster = producer.redis as Cluster

  const slot = (await cluster.cluster(
    'KEYSLOT',
    producer.keys('joinable-queue', 'moving').base,
  )) as number
  const owners = await slotOwners(cluster)
  const source = ownerOf(owners, slot)
  const mastersById = new Map(owners.map(({ master }) => [master.id, master]))
  const target = [...mastersById.values()].find((master) => master.id !== source.id) as Master
  const admins = new Map([...mastersById.values()].map((m) => [m.id, adminOf(m.host, m.port)]))
  t.after(() => {
    for (const admin of admins.values()) admin.disconnect()
  })

  let producing = true
  const acknowledged: number[] = []
  const producing$ = (async () => {
    for (let n = 0; producing; n++) {
      await out.put(n)
      acknowledged.push(n)
      if (n % 20 === 0) await sleep(1)
    }
  })()
  let consuming = true
  const got = new Map<number, number>()
  const consumers$ = [1, 2].map(async () => {
    while (consuming) {
      try {
        const item = await into.get({ timeout: 250 })
        got.set(item, (got.get(item) ?? 0) + 1)
        await into.taskDone()
      } catch (error) {
        if (!isRedprocError(error, 'EMPTY')) throw error
      }
    }
  })

  await until(() => got.size > 200, 'traffic to flow')
  const moved = await migrateSlot(
    slot,
    { admin: admins.get(source.id) as Redis, id: source.id },
    { admin: admins.get(target.id) as Redis, ...target },
    [...admins.values()],
  )
  const afterMove = acknowledged.length
  await until(() => acknowledged.length > afterMove + 200, 'puts to flow on the new master')
  producing = false
  await producing$
  await out.join({ timeout: 30_000 })
  consuming = false
  await Promise.all(consumers$)

  const lost = acknowledged.filter((n) => !got.has(n))
  t.diagnostic(
    `slot ${slot} moved from ${source.host}:${source.port} to ${target.host}:${target.port} (${moved} keys) under ${acknowledged.length} puts: ${lost.length} lost, ${[...got.values()].filter((times) => times > 1).length} delivered twice`,
  )
  assert.ok(moved > 0, 'the queue had keys in the slot')
  assert.deepEqual(lost, [], 'every acknowledged put was delivered')
  assert.equal(ownerOf(await slotOwners(cluster), slot).id, target.id, 'the new master serves it')
})
