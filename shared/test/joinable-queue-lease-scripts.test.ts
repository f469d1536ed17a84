// The two scripts that keep a joinable queue's leases: renewing a handle's
// locks, and putting back the items whose lock lapsed. Each is run on its own
// here, on jobs laid out as a take leaves them; the fault tests show them at
// work with real consumers that die.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { Queue } from 'bullmq'
import { BullmqLayout, type Context } from '../src/index.js'
import { Script } from '../src/redis/script.js'
import { openContext, TOPOLOGIES } from './support/redis.js'
import { until } from './support/until.js'

const renewScript = new Script<number[]>('joinable-queue-renew')
const recoverScript = new Script<string[] | null>('joinable-queue-recover')

function layoutOf(mp: Context, name: string): BullmqLayout {
  return new BullmqLayout(mp.keys('joinable-queue', name), name)
}

function recover(mp: Context, layout: BullmqLayout, periodMs: number | string) {
  const { keys } = layout
  // The tests' queue names hold no ':', so the BullMQ name is the object's name.
  const queue = mp.keys('joinable-queue', layout.queueName)
  return recoverScript.run(
    mp.redis,
    [keys.active, keys.wait, keys.stalledCheck, keys.events, keys.marker, keys.meta, queue.base],
    [layout.jobKeyPrefix, Date.now(), periodMs, queue.part('signals')],
  )
}

/**
 * Puts `count` items (ids 1…count) and moves them to active as a take does,
 * the newest on the left; the ids in `held` get a lock, the others none.
 */
async function takenJobs(
  mp: Context,
  name: string,
  count: number,
  held: string[],
  keepEvents = 0,
): Promise<BullmqLayout> {
  const layout = layoutOf(mp, name)
  await mp
    .joinableQueue<number>(name, { keepEvents })
    .putMany(Array.from({ length: count }, (_, i) => i))
  for (let i = 0; i < count; i++) await mp.redis.rpoplpush(layout.keys.wait, layout.keys.active)
  for (const id of held) await mp.redis.set(layout.lockKey(id), `holder-${id}`, 'PX', 60_000)
  return layout
}

function bullQueue(t: TestContext, mp: Context, name: string) {
  const { bullmq } = mp.joinableQueue(name)
  const bull = new Queue(bullmq.name, { connection: mp.redis, prefix: bullmq.prefix })
  t.after(() => bull.close())
  return bull
}

for (const topology of TOPOLOGIES) {
  describe(`joinable queue lease scripts (${topology})`, () => {
    it('renew extends only the locks that still hold their token, and names the others', async (t) => {
      const mp = await openContext(t, topology)
      const layout = layoutOf(mp, 'jobs')
      const [mine, taken, lapsed] = ['1', '2', '3'].map((id) => layout.lockKey(id)) as string[]
      await mp.redis.set(mine as string, 'me', 'PX', 1000)
      await mp.redis.set(taken as string, 'someone-else', 'PX', 1000)
      const lost = await renewScript.run(
        mp.redis,
        [mine as string, taken as string, lapsed as string],
        [60_000, 'me', 'me', 'me'],
      )
      assert.deepEqual(lost, [2, 3])
      assert.ok((await mp.redis.pttl(mine as string)) > 50_000, 'the held lock was not renewed')
      assert.ok((await mp.redis.pttl(taken as string)) <= 1000, "another holder's lock was renewed")
      assert.equal(await mp.redis.get(taken as string), 'someone-else')
      assert.equal(await mp.redis.exists(lapsed as string), 0, 'a lapsed lock came back')
    })

    it('renew refuses a lease that is not a positive whole number of ms, renewing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const lock = layoutOf(mp, 'jobs').lockKey('1')
      await mp.redis.set(lock, 'me', 'PX', 1000)
      for (const lease of [0, -5, 1.5, 'soon']) {
        await assert.rejects(
          renewScript.run(mp.redis, [lock], [lease, 'me']),
          /^ReplyError: VALUE_ERROR the lease/,
        )
      }
      assert.ok((await mp.redis.pttl(lock)) <= 1000, 'a refused renewal renewed')
    })

    it('renew refuses a token count that does not match the locks, renewing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const layout = layoutOf(mp, 'jobs')
      const locks = [layout.lockKey('1'), layout.lockKey('2')]
      for (const lock of locks) await mp.redis.set(lock, 'me', 'PX', 1000)
      await assert.rejects(
        renewScript.run(mp.redis, locks, [60_000, 'me']),
        /VALUE_ERROR 2 locks need 2 tokens, not 1/,
      )
      await assert.rejects(
        renewScript.run(mp.redis, locks, [60_000, 'me', 'me', 'me']),
        /VALUE_ERROR 2 locks need 2 tokens, not 3/,
      )
      for (const lock of locks) assert.ok((await mp.redis.pttl(lock)) <= 1000)
    })

    it('recover puts the jobs whose lock is gone back at the head of wait, oldest first', async (t) => {
      const mp = await openContext(t, topology)
      const layout = await takenJobs(mp, 'jobs', 5, ['2', '4'], 100)
      await mp.joinableQueue<number>('jobs').put(5) // id 6, waiting behind them
      await mp.redis.del(layout.keys.marker)
      const before = await mp.redis.xlen(layout.keys.events)

      assert.deepEqual(await recover(mp, layout, 60_000), ['5', '3', '1'])
      assert.deepEqual(await mp.redis.lrange(layout.keys.active, 0, -1), ['4', '2'])
      assert.deepEqual(await mp.redis.lrange(layout.keys.wait, 0, -1), ['6', '5', '3', '1'])
      assert.equal(await mp.redis.zscore(layout.keys.marker, '0'), '0', 'no wake-up for getters')
      const events = (await mp.redis.xrange(layout.keys.events, '-', '+')).slice(before)
      assert.deepEqual(
        events.map(([, fields]) => fields.join(' ')),
        ['5', '3', '1'].flatMap((id) => [
          `event waiting jobId ${id} prev active`,
          `event stalled jobId ${id}`,
        ]),
      )

      // BullMQ reads them as waiting jobs that stalled once.
      const bull = bullQueue(t, mp, 'jobs')
      assert.deepEqual(await bull.getJobCounts('waiting', 'active'), { waiting: 4, active: 2 })
      const job = await bull.getJob('3')
      assert.equal(job?.stalledCounter, 1)
      assert.equal(job?.data, 2)
      assert.equal(await mp.joinableQueue<number>('jobs').getNowait(), 0, 'the oldest comes first')
    })

    it('recover writes no events while the stream is off', async (t) => {
      const mp = await openContext(t, topology)
      const layout = await takenJobs(mp, 'jobs', 2, [])
      assert.deepEqual(await recover(mp, layout, 60_000), ['2', '1'])
      assert.equal(await mp.redis.xlen(layout.keys.events), 0)
    })

    it('recover runs once per period, however many consumers run it', async (t) => {
      const mp = await openContext(t, topology)
      const layout = await takenJobs(mp, 'jobs', 3, ['2', '3'])
      const runs = await Promise.all(Array.from({ length: 5 }, () => recover(mp, layout, 300)))
      assert.deepEqual(
        runs.filter((run) => run !== null),
        [['1']],
      )
      await mp.redis.del(layout.lockKey('2'))
      assert.equal(await recover(mp, layout, 300), null)
      assert.deepEqual(await mp.redis.lrange(layout.keys.active, 0, -1), ['3', '2'])
      await until(
        async () => (await mp.redis.exists(layout.keys.stalledCheck)) === 0,
        'the period ended',
      )
      assert.deepEqual(await recover(mp, layout, 300), ['2'])
    })

    it('recover only takes a job whose hash is gone out of active', async (t) => {
      const mp = await openContext(t, topology)
      const layout = await takenJobs(mp, 'jobs', 2, [])
      await mp.redis.del(`${layout.jobKeyPrefix}1`)
      assert.deepEqual(await recover(mp, layout, 60_000), ['2'])
      assert.deepEqual(await mp.redis.lrange(layout.keys.active, 0, -1), [])
      assert.deepEqual(await mp.redis.lrange(layout.keys.wait, 0, -1), ['2'])
      assert.equal(await mp.redis.exists(`${layout.jobKeyPrefix}1`), 0, 'the removed job came back')
    })

    it('recover drops and counts as done, once, the lapsed jobs of a queue shut down at once', async (t) => {
      const mp = await openContext(t, topology)
      const layout = await takenJobs(mp, 'jobs', 3, ['2'])
      const q = mp.joinableQueue<number>('jobs')
      await q.shutdown({ immediate: true })
      assert.equal(await q.unfinishedTasks(), 3)
      const joined = q.join({ timeout: 5000 })

      assert.deepEqual(await recover(mp, layout, 10), ['3', '1'])
      assert.equal(
        await q.unfinishedTasks(),
        1,
        'the held job was counted, or a lapsed one was not',
      )
      assert.deepEqual(await mp.redis.lrange(layout.keys.active, 0, -1), ['2'])
      assert.deepEqual(await mp.redis.lrange(layout.keys.wait, 0, -1), [])
      for (const id of ['1', '3']) {
        assert.equal(await mp.redis.exists(`${layout.jobKeyPrefix}${id}`), 0, `job ${id} was kept`)
      }
      await mp.redis.del(layout.lockKey('2'))
      await until(async () => (await recover(mp, layout, 10)) !== null, 'a new period')
      await joined
      assert.equal(await q.unfinishedTasks(), 0)
      await until(async () => (await recover(mp, layout, 10)) !== null, 'a new period')
      assert.equal(await q.unfinishedTasks(), 0, 'a job was counted twice')
    })

    it('recover sets the marker whenever wait holds items, and only then', async (t) => {
      const mp = await openContext(t, topology)
      const layout = layoutOf(mp, 'jobs')
      assert.deepEqual(await recover(mp, layout, 10), [])
      assert.equal(await mp.redis.exists(layout.keys.marker), 0)
      await mp.joinableQueue<number>('jobs').put(1)
      // A getter that popped the marker and died before taking.
      await mp.redis.del(layout.keys.marker)
      await until(async () => (await recover(mp, layout, 10)) !== null, 'a new period')
      assert.equal(await mp.redis.zscore(layout.keys.marker, '0'), '0')
    })

    it('recover refuses a period that is not a positive whole number of ms, touching nothing', async (t) => {
      const mp = await openContext(t, topology)
      const layout = await takenJobs(mp, 'jobs', 1, [])
      for (const period of [0, -1, 2.5, 'soon']) {
        await assert.rejects(recover(mp, layout, period), /^ReplyError: VALUE_ERROR the period/)
      }
      assert.equal(await mp.redis.exists(layout.keys.stalledCheck), 0)
      assert.deepEqual(await mp.redis.lrange(layout.keys.active, 0, -1), ['1'])
    })
  })
}
