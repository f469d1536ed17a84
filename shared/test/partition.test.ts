import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startChild } from './support/children.js'
import { type ConsumerHost, makeHosts, netnsUnavailable } from './support/netns.js'
import { startPrivateRedis } from './support/private-redis.js'

/** Short, so the test outlasts it quickly; live consumers renew every third of it. */
const LEASE = 1500
const DELAY_MS = 2
const KEEP_EVENTS = 1000

type Took = { took: Array<{ id: string; item: number }> }

/** Why this machine cannot make consumer hosts (one line, shown as the skip's reason). */
const skip = netnsUnavailable()

describe('consumers on separate hosts (network namespaces)', () => {
  it('a host cut off past its lease: its items go to the other host, its late acks are refused, each item counts once', {
    skip,
  }, async (t) => {
    const redis = await startPrivateRedis(t)
    const network = await makeHosts(2, DELAY_MS, redis)
    t.after(() => network.remove())
    const mp = await redis.connect()
    const q = mp.joinableQueue<number>('jobs', { lease: LEASE, keepEvents: KEEP_EVENTS })
    const items = Array.from({ length: 10 }, (_, i) => i)
    await q.putMany(items)
    let joined = false
    const join = q.join({ timeout: 30_000 }).then(() => {
      joined = true
    })
    const consumer = (host: ConsumerHost) =>
      startChild(
        t,
        'jq-remote-consumer',
        {
          topology: 'single',
          namespace: mp.options.namespace,
          redisUrl: host.redisUrl,
          queue: 'jobs',
          lease: LEASE,
          keepEvents: KEEP_EVENTS,
        },
        60_000,
        { wrap: host.exec, stdin: true },
      )
    const [hostA, hostB] = network.hosts as [ConsumerHost, ConsumerHost]
    const [a, b] = [consumer(hostA), consumer(hostB)]
    await Promise.all([a.next(), b.next()])

    a.send('take 5')
    const { took: heldByA } = await a.next<Took>()
    b.send('take 5')
    await b.next<Took>()
    b.send('ack 5')
    await b.next()

    hostA.cut()
    const cutAt = performance.now()
    a.send('ack 5') // written into a link that carries nothing
    b.send('take 5')
    const { took: redelivered } = await b.next<Took>()
    const redeliveredAfterMs = performance.now() - cutAt
    assert.deepEqual(
      sortedIds(redelivered),
      sortedIds(heldByA),
      "the cut-off host's items went to the other",
    )
    assert.deepEqual(sortedItems(redelivered), sortedItems(heldByA))
    // The last renewal came at most a third of the lease before the cut.
    assert.ok(redeliveredAfterMs >= LEASE - LEASE / 3 - 50, 'redelivered before the lease lapsed')

    // Cut off for twice the lease in all, then back.
    await sleep(Math.max(0, 2 * LEASE - (performance.now() - cutAt)))
    const whileCut = await q.counts()
    assert.equal(whileCut.totals.completed, 5, 'only the other host acknowledged')
    assert.equal(whileCut.unfinished, 5)
    const cutForMs = performance.now() - cutAt
    hostA.restore()
    const restoredAt = performance.now()
    assert.deepEqual(await a.next(), { acked: 5 }, "the cut-off host's acks reached Redis")
    const lateAfterMs = performance.now() - restoredAt
    const afterLateAcks = await q.counts()
    assert.equal(afterLateAcks.totals.completed, 5, 'a late ack of a lost lease was counted')
    assert.equal(afterLateAcks.unfinished, 5)
    assert.equal(afterLateAcks.active, 5, 'the other host still holds the redelivered items')
    assert.equal(joined, false, 'join() returned before every item was acknowledged')

    b.send('ack 5')
    await b.next()
    await join
    const final = await q.counts()
    assert.equal(final.totals.completed, items.length)
    assert.equal(final.unfinished, 0)
    assert.equal(final.active + final.waiting, 0)
    // Redis's own record of the acks it took: one 'completed' event per item.
    const events = await redis.admin.xrange(`${q.bullmq.prefix}:${q.bullmq.name}:events`, '-', '+')
    const completions = new Map<string, number>()
    for (const [, fields] of events) {
      const event = fieldsOf(fields)
      if (event.event === 'completed')
        completions.set(event.jobId ?? '', (completions.get(event.jobId ?? '') ?? 0) + 1)
    }
    assert.equal(completions.size, items.length)
    for (const [id, times] of completions)
      assert.equal(times, 1, `job ${id} acknowledged ${times} times`)
    t.diagnostic(
      `lease ${LEASE} ms, latency by ${network.latency}: the ${heldByA.length} items of the cut-off host were redelivered to the other ${Math.round(redeliveredAfterMs)} ms after the cut; the link came back after ${Math.round(cutForMs)} ms; its ${heldByA.length} late acks reached Redis ${Math.round(lateAfterMs)} ms after the link came back and were refused; ${final.totals.completed} of ${items.length} items acknowledged, each once`,
    )
  })
})

function sortedIds(took: Took['took']): string[] {
  return took.map((t) => t.id).sort()
}

function sortedItems(took: Took['took']): number[] {
  return took.map((t) => t.item).sort((x, y) => x - y)
}

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string
  return fields
}
