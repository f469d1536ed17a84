import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Context, ObjectKeys } from '../src/index.js'
import { WaitQueue } from '../src/synchronize/waiting.js'
import { openContext } from './support/redis.js'
import { namespaceKeys } from './support/snapshot.js'

/**
 * The keys each kind writes, as they are in Redis: data written by an earlier
 * release, and BullMQ's tools reading a joinable queue, depend on every byte.
 * Renaming one fails here; a deliberate change needs a migration.
 */
async function writeOneOfEach(mp: Context): Promise<void> {
  const queue = mp.queue('q', { maxsize: 5 })
  await queue.put(1)
  await queue.shutdown()
  const jobs = mp.joinableQueue('jq')
  await jobs.putMany([1, 2])
  await jobs.get()
  await jobs.taskDone()
  await jobs.get()
  const [a, b] = mp.pipe('p')
  await a.send('to b')
  await b.send('to a')
  assert.equal(await mp.lock('l').acquire(), true)
  assert.equal(await mp.rlock('r').acquire(), true)
  assert.equal(await mp.semaphore('s', 2).acquire(), true)
  assert.equal(await mp.condition('c').acquire(), true)
  await mp.event('e').set()
  await mp
    .barrier('b', 2)
    .wait({ timeout: 1 })
    .catch(() => {})
  const value = mp.value('v', 1)
  await value.add(1)
  await value.getLock().acquire()
  await mp.array('a', [1, 2]).set(0, 3)
  await mp.namespace('n').set('x', 1)
  await mp.dict('d').set('x', 1)
  await mp.list('li').append(1)
}

describe('key names', () => {
  it('are byte for byte those every kind has always written', async (t) => {
    const mp = await openContext(t)
    await writeOneOfEach(mp)
    const ns = mp.options.namespace
    const keys = (await namespaceKeys(mp))
      .filter((key) => !/:(worker|workers|registry):/.test(key))
      .map((key) => key.replace(`rp:{${ns}:`, 'rp:{NS:'))
    assert.deepEqual(keys, [
      'rp:{NS:array:a}',
      'rp:{NS:barrier:b}',
      'rp:{NS:condition:c}:lock',
      'rp:{NS:condition:c}:lock:fence',
      'rp:{NS:dict:d}',
      'rp:{NS:event:e}',
      'rp:{NS:joinable-queue:jq}',
      'rp:{NS:joinable-queue:jq}:jq:2',
      'rp:{NS:joinable-queue:jq}:jq:2:lock',
      'rp:{NS:joinable-queue:jq}:jq:active',
      'rp:{NS:joinable-queue:jq}:jq:id',
      'rp:{NS:joinable-queue:jq}:jq:marker',
      'rp:{NS:joinable-queue:jq}:jq:meta',
      'rp:{NS:joinable-queue:jq}:jq:stalled-check',
      'rp:{NS:list:li}',
      'rp:{NS:lock:l}',
      'rp:{NS:lock:l}:fence',
      'rp:{NS:namespace:n}',
      'rp:{NS:pipe:p}',
      'rp:{NS:pipe:p}:inbox:0',
      'rp:{NS:pipe:p}:inbox:1',
      'rp:{NS:queue:q}',
      'rp:{NS:queue:q}:items',
      'rp:{NS:queue:q}:meta',
      'rp:{NS:queue:q}:room',
      'rp:{NS:rlock:r}',
      'rp:{NS:rlock:r}:fence',
      'rp:{NS:semaphore:s}',
      'rp:{NS:semaphore:s}:holders',
      'rp:{NS:value:v}',
      'rp:{NS:value:v}:lock',
      'rp:{NS:value:v}:lock:fence',
    ])
  })

  it('queue and wake waiters under the same names, inside the owner of a lock kept inside it', () => {
    const lock = new WaitQueue(new ObjectKeys('NS', 'lock', 'l'))
    assert.deepEqual(
      [lock.waiters, lock.deadlines, lock.wakeKey('w1')],
      ['rp:{NS:lock:l}:waiters', 'rp:{NS:lock:l}:deadlines', 'rp:{NS:lock:l}:wake:w1'],
    )
    const inside = new WaitQueue(new ObjectKeys('NS', 'condition', 'c'), 'lock:')
    assert.deepEqual(
      [inside.waiters, inside.deadlines, inside.wakeKey('w1')],
      [
        'rp:{NS:condition:c}:lock:waiters',
        'rp:{NS:condition:c}:lock:deadlines',
        'rp:{NS:condition:c}:lock:wake:w1',
      ],
    )
  })
})
