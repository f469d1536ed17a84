import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ConnectOptions, connect, isRedprocError } from '../src/index.js'
import { type ReplicatedRedis, startReplicatedRedis } from './support/failover.js'
import { startPrivateRedis } from './support/private-redis.js'
import { uniqueNamespace } from './support/redis.js'
import { until } from './support/until.js'

interface Figures {
  /** Puts acknowledged to the producer. */
  acknowledged: number
  /** Acknowledged puts no consumer ever got. */
  lost: number
  /** Items got more than once (at-least-once delivery). */
  redelivered: number
  /** The longest time between two acknowledged puts: the outage the producer saw. */
  outageMs: number
  /** Lock holds whose fencing token was not above the one before. */
  fencingRegressions: number
  /** Calls that failed (then were retried by the loops). */
  failedCalls: number
}

/**
 * A producer, two consumers, a lock holder and a join on one queue through
 * Sentinel, while the master is SIGKILLed and the replica promoted.
 */
async function runThroughFailover(
  set: ReplicatedRedis,
  durability: ConnectOptions['durability'],
): Promise<Figures> {
  const options = { redis: set.target, namespace: uniqueNamespace(), durability }
  await using producer = await connect(options)
  await using consumer = await connect(options)
  const out = producer.joinableQueue<number>('orders')
  // A short lease, so that an item whose ack the failover lost comes back soon.
  const into = consumer.joinableQueue<number>('orders', { lease: 2_000 })
  const lock = producer.lock('ledger', { ttl: 5_000 })
  let failedCalls = 0
  const retryLater = async (error: unknown) => {
    if (!isRedprocError(error, 'CONNECTION') && !isRedprocError(error, 'NOT_OWNER')) throw error
    failedCalls++
    await sleep(20)
  }

  let producing = true
  const acknowledged: number[] = []
  let outageMs = 0
  const producing$ = (async () => {
    let last = performance.now()
    for (let n = 0; producing; n++) {
      try {
        await out.put(n)
        acknowledged.push(n)
        outageMs = Math.max(outageMs, performance.now() - last)
        last = performance.now()
      } catch (error) {
        await retryLater(error)
      }
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
        if (!isRedprocError(error, 'EMPTY')) await retryLater(error)
      }
    }
  })

  let fencingRegressions = 0
  const locking$ = (async () => {
    let lastToken = 0
    while (producing) {
      try {
        await lock.acquire({ timeout: 10_000 })
        if ((lock.fencingToken ?? 0) <= lastToken) fencingRegressions++
        lastToken = lock.fencingToken ?? 0
        await sleep(5)
        await lock.release()
      } catch (error) {
        await retryLater(error)
      }
    }
  })()

  await until(() => acknowledged.length > 200, 'traffic to flow')
  await set.master.kill()
  await set.promoted(30_000)
  const afterPromotion = acknowledged.length
  await until(() => acknowledged.length > afterPromotion + 200, 'puts to flow again', 30_000)
  producing = false
  await Promise.all([producing$, locking$])
  // The consumers go on until join(): an item whose ack was lost comes back to them.
  await out.join({ timeout: 60_000 })
  consuming = false
  await Promise.all(consumers$)

  return {
    acknowledged: acknowledged.length,
    lost: acknowledged.filter((n) => !got.has(n)).length,
    redelivered: [...got.values()].filter((times) => times > 1).length,
    outageMs: Math.round(outageMs),
    fencingRegressions,
    failedCalls,
  }
}

describe('Sentinel failover mid-run', { timeout: 180_000 }, () => {
  it('clients follow the promoted replica; the outage and the losses are measured', async (t) => {
    const figures = await runThroughFailover(await startReplicatedRedis(t), undefined)
    t.diagnostic(`without durability: ${JSON.stringify(figures)}`)
    assert.ok(figures.acknowledged > 400)
    assert.ok(figures.outageMs < 30_000, `the outage lasted ${figures.outageMs} ms`)
  })

  it('with durability { replicas: 1 }, nothing acknowledged is lost', async (t) => {
    const figures = await runThroughFailover(await startReplicatedRedis(t), { replicas: 1 })
    t.diagnostic(`with durability: ${JSON.stringify(figures)}`)
    assert.equal(figures.lost, 0, 'every acknowledged put was delivered')
    assert.equal(figures.fencingRegressions, 0, 'fencing tokens only went up')
  })
})

describe('durability', () => {
  it('fails a call whose writes no replica confirms, with CONNECTION', async (t) => {
    const alone = await startPrivateRedis(t)
    await using mp = await connect({
      redis: alone.url,
      namespace: uniqueNamespace(),
      durability: { replicas: 1, timeoutMs: 50 },
    })
    await assert.rejects(mp.dict('d').set('k', 1), (error) => isRedprocError(error, 'CONNECTION'))
  })

  it('fails a write while its replica lags, saying it is on the master; reads go on; all confirmed once the replica is back', async (t) => {
    const master = await startPrivateRedis(t)
    const replica = await startPrivateRedis(t, undefined, [
      '--replicaof',
      '127.0.0.1',
      String(master.port),
    ])
    await until(
      async () => (await replica.admin.info('replication')).includes('master_link_status:up'),
      'the replica to sync',
    )
    const pid = Number(/process_id:(\d+)/.exec(await replica.admin.info('server'))?.[1])
    await using mp = await connect({
      redis: master.url,
      namespace: uniqueNamespace(),
      durability: { replicas: 1, timeoutMs: 300 },
    })
    const d = mp.dict<number>('d')
    await d.set('before', 1)

    // A replica that stops answering, as one in a long fork or on a slow disk.
    process.kill(pid, 'SIGSTOP')
    try {
      const started = performance.now()
      await assert.rejects(
        d.set('during', 2),
        (error) =>
          isRedprocError(error, 'CONNECTION') && /written on the master/.test(error.message),
      )
      const waited = performance.now() - started
      assert.ok(waited >= 250 && waited < 3000, `failed after ${Math.round(waited)} ms`)
      // Reads have nothing to wait for: they answer while the replica lags.
      assert.equal(await d.get('during'), 2, 'the unconfirmed write is on the master')
      assert.equal(await d.size(), 2)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await d.set('after', 3)
    const key = mp.keys('dict', 'd').base
    assert.deepEqual((await replica.admin.hkeys(key)).sort(), ['after', 'before', 'during'])
  })

  it('is checked at connect', async (t: TestContext) => {
    const { url } = await startPrivateRedis(t)
    for (const [durability, code] of [
      [{}, 'TYPE_ERROR'],
      [{ replicas: 0 }, 'VALUE_ERROR'],
      [{ replicas: '1' }, 'TYPE_ERROR'],
      [{ replicas: 1, timeoutMs: 0 }, 'VALUE_ERROR'],
      [{ replicas: 1, wait: 5 }, 'TYPE_ERROR'],
      [true, 'TYPE_ERROR'],
    ] as const) {
      await assert.rejects(
        connect({ redis: url, durability: durability as never }),
        (error) => isRedprocError(error, code),
        JSON.stringify(durability),
      )
    }
  })
})
