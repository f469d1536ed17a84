// Event waits under faults: a wake-up lost with a dropped connection.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startChild } from './support/children.js'
import { startPrivateRedis } from './support/private-redis.js'
import { until } from './support/until.js'

/** The id of the one client blocked in BLMOVE, once there is one. */
async function blockedClientId(list: () => Promise<string>): Promise<string> {
  let id = ''
  await until(async () => {
    const line = (await list()).split('\n').find((l) => /\bcmd=blmove\b/.test(l))
    id = line?.match(/\bid=(\d+)/)?.[1] ?? ''
    return id !== ''
  }, 'the waiter blocks')
  return id
}

describe('event: a dropped connection loses no wake-up', () => {
  it('a waiter whose wake-up was taken by its dying connection still sees the event set', async (t) => {
    const redis = await startPrivateRedis(t)
    const mp = await redis.connect()
    const namespace = mp.options.namespace
    const waiter = startChild(t, 'event-waiter', {
      topology: 'single',
      redisUrl: redis.url,
      namespace,
      event: 'go',
      timeout: 20_000,
    })
    await waiter.next()
    const id = await blockedClientId(async () => (await redis.admin.client('LIST')) as string)
    // In one step: set() wakes the waiter, its BLMOVE takes the wake-up, and
    // its connection dies before the reply arrives.
    const flag = `rp:{${namespace}:event:go}`
    const [waiterId] = await redis.admin.zrange(`${flag}:waiters`, 0, -1)
    await redis.admin
      .multi()
      .set(flag, '1')
      .del(`${flag}:waiters`)
      .rpush(`${flag}:wake:${waiterId}:got`, 'set')
      .client('KILL', 'ID', id)
      .exec()
    const killedAt = performance.now()
    const { set } = await waiter.next<{ set: boolean }>()
    const ms = performance.now() - killedAt
    assert.equal(set, true, 'the wait missed the set')
    assert.ok(ms < 3000, `the wait returned ${Math.round(ms)} ms after the set`)
  })
})
