// Joinable queues under faults: sockets that die, event loops that do not turn.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { type RunningChild, startChild } from './support/children.js'
import { type PrivateRedis, startPrivateRedis, subscribers } from './support/private-redis.js'
import { until } from './support/until.js'

async function openOn(redis: PrivateRedis) {
  const mp = await redis.connect()
  return { mp, namespace: mp.options.namespace }
}

/** Starts a child that joins or puts, and waits until its subscription is live. */
async function startWaiter(
  t: TestContext,
  redis: PrivateRedis,
  config: { namespace: string; wait: 'join' | 'put'; maxsize?: number },
): Promise<RunningChild> {
  const child = startChild(t, 'jq-waiter', {
    topology: 'single',
    redisUrl: redis.url,
    queue: 'jobs',
    timeout: 10_000,
    ...config,
  })
  await child.next()
  await until(async () => (await subscribers(redis.admin)) === 1, 'the waiter subscribed')
  return child
}

describe('joinable queue: a dropped subscription loses no wake-up', () => {
  it('join returns when the last ack lands while its subscriber socket is down', async (t) => {
    const redis = await startPrivateRedis(t)
    const { mp, namespace } = await openOn(redis)
    const q = mp.joinableQueue<string>('jobs')
    await q.put('a')
    await q.get()
    const joiner = await startWaiter(t, redis, { namespace, wait: 'join' })
    await redis.admin.client('KILL', 'TYPE', 'pubsub')
    const killedAt = performance.now()
    q.taskDone()
    await q.unfinishedTasks() // the ack is in Redis now
    const ended = await joiner.next<{ outcome: string }>()
    const ms = performance.now() - killedAt
    assert.equal(ended.outcome, 'done', 'join missed the last ack')
    // Well before the slow re-check: the re-subscription told it to look.
    assert.ok(ms < 3000, `join returned ${Math.round(ms)} ms after the ack`)
  })

  it('a put waiting for room wakes when room is made while its subscriber socket is down', async (t) => {
    const redis = await startPrivateRedis(t)
    const { mp, namespace } = await openOn(redis)
    const q = mp.joinableQueue<string>('jobs', { maxsize: 1 })
    await q.put('a')
    const putter = await startWaiter(t, redis, { namespace, wait: 'put', maxsize: 1 })
    await redis.admin.client('KILL', 'TYPE', 'pubsub')
    const killedAt = performance.now()
    assert.equal(await q.get(), 'a') // room for one
    const ended = await putter.next<{ outcome: string }>()
    const ms = performance.now() - killedAt
    assert.equal(ended.outcome, 'done', 'the put missed the room made')
    assert.ok(ms < 3000, `the put went in ${Math.round(ms)} ms after the room was made`)
    assert.equal(await q.get({ timeout: 1000 }), 'late')
  })

  it('join looks at Redis again every few seconds, even when no message ever comes', async (t) => {
    const redis = await startPrivateRedis(t)
    const { mp, namespace } = await openOn(redis)
    const q = mp.joinableQueue<string>('jobs')
    await q.put('a')
    const joiner = await startWaiter(t, redis, { namespace, wait: 'join' })
    // The count reaches 0 without the message an ack would publish.
    const state = (await redis.admin.keys(`*${namespace}:joinable-queue:jobs}`))[0] as string
    await redis.admin.hset(state, 'unfinished', 0)
    const ended = await joiner.next<{ outcome: string }>()
    assert.equal(ended.outcome, 'done')
  })
})

describe('joinable queue: CPU-bound consumers', () => {
  it('a get-compute-taskDone loop that blocks its event loop runs each item once', async (t) => {
    const redis = await startPrivateRedis(t)
    const { mp, namespace } = await openOn(redis)
    const lease = 1000
    const config = {
      topology: 'single' as const,
      redisUrl: redis.url,
      namespace,
      queue: 'jobs',
      lease,
    }
    const consumers = [
      startChild(t, 'jq-cpu-consumer', config),
      startChild(t, 'jq-cpu-consumer', config),
    ]
    for (const consumer of consumers) await consumer.next()
    const q = mp.joinableQueue<{ id: number; ms: number }>('jobs')
    // Quick items first, so a consumer's prefetch grows; then items that each
    // block for a third of the lease: ten of them fetched ahead would be
    // three leases of work in one buffer.
    const quick = Array.from({ length: 40 }, (_, id) => ({ id, ms: 0 }))
    const slow = Array.from({ length: 10 }, (_, i) => ({ id: 40 + i, ms: lease / 3 }))
    const started = performance.now()
    await q.putMany([...quick, ...slow])
    await q.join({ timeout: 30_000 })
    const joinMs = performance.now() - started
    await q.shutdown()
    const ran: number[] = []
    for (const consumer of consumers) ran.push(...(await consumer.next<{ ran: number[] }>()).ran)
    const twice = ran.filter((id, i) => ran.indexOf(id) !== i)
    assert.deepEqual(twice, [], `items run twice: ${twice.join(', ')}`)
    assert.equal(new Set(ran).size, 50)
    // 3.3 s of work on two consumers.
    assert.ok(joinMs < 4000, `join took ${Math.round(joinMs)} ms`)
  })
})
