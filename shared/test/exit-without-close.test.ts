import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { blockedCount, connectionName } from './support/blocked-connections.js'
import { startChild } from './support/children.js'
import { openContext } from './support/redis.js'
import { until } from './support/until.js'

/** Long enough for a busy machine, far shorter than any lease or Redis timeout. */
const EXITS_WITHIN_MS = 10_000

describe('a script that never calls close()', () => {
  it('exits by itself with its writes, puts and acks in Redis', async (t) => {
    const mp = await openContext(t)
    const jq = mp.joinableQueue<string>('jq')
    await jq.put('first')
    const child = startChild(
      t,
      'never-closes',
      { topology: 'single', namespace: mp.options.namespace, mode: 'writes' },
      EXITS_WITHIN_MS,
    )
    const result = await child.exited
    assert.equal(result.code, 0, `killed after ${EXITS_WITHIN_MS} ms: it did not exit by itself`)
    assert.equal(JSON.parse(result.stdout), 'first')
    assert.equal(await mp.dict('d').get('k'), 'v')
    assert.equal(await mp.queue('q').getNowait(), 'plain')
    // 'first' was acknowledged; 'second' waits for a consumer.
    assert.equal(await jq.unfinishedTasks(), 1)
    assert.equal(await jq.getNowait(), 'second')
  })

  it('stays alive while blocked in a get() without timeout, then exits', async (t) => {
    const mp = await openContext(t)
    const name = connectionName()
    const child = startChild(
      t,
      'never-closes',
      {
        topology: 'single',
        namespace: mp.options.namespace,
        connectionName: name,
        mode: 'blocked-get',
      },
      EXITS_WITHIN_MS * 2,
    )
    assert.equal(await child.next(), 'waiting')
    await until(async () => (await blockedCount(mp, name)) > 0, 'the child blocks in get()')
    assert.equal(child.hasExited(), false)
    await mp.queue('q').put('wake')
    assert.equal(await child.result(), 'wake')
  })

  it('exits while holding a lock, and gives the lock back at once', async (t) => {
    const mp = await openContext(t)
    const child = startChild(
      t,
      'never-closes',
      { topology: 'single', namespace: mp.options.namespace, mode: 'holding-lock' },
      EXITS_WITHIN_MS,
    )
    assert.equal(await child.result(), true)
    // Given back by the close at exit, not by the end of its lease.
    const lock = mp.lock('l')
    assert.equal(await lock.acquire({ blocking: false }), true)
    await lock.release()
  })
})
