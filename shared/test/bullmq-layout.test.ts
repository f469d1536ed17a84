import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { QueueKeys } from 'bullmq'
import { BullmqLayout } from '../src/index.js'
import { ObjectKeys } from '../src/redis/keys.js'

describe('BullMQ layout', () => {
  for (const name of ['jobs', 'jobs:with:colons', 'a.b-c_d']) {
    it(`names the keys of '${name}' exactly as BullMQ's QueueKeys does`, () => {
      const layout = new BullmqLayout(new ObjectKeys('ns', 'joinable-queue', name), name)
      const bull = new QueueKeys(layout.prefix)
      const key = (type: string) => bull.toKey(layout.queueName, type)
      assert.deepEqual(layout.keys, {
        wait: key('wait'),
        active: key('active'),
        stalled: key('stalled'),
        stalledCheck: key('stalled-check'),
        completed: key('completed'),
        failed: key('failed'),
        delayed: key('delayed'),
        meta: key('meta'),
        id: key('id'),
        events: key('events'),
        marker: key('marker'),
      })
      // Each is one of the keys BullMQ itself opens for the queue.
      const bullKeys = Object.values(bull.getKeys(layout.queueName))
      for (const value of Object.values(layout.keys)) assert.ok(bullKeys.includes(value), value)
      // BullMQ's job hash is toKey(id), its lock that key + ':lock'.
      assert.equal(`${layout.jobKeyPrefix}42`, key('42'))
      assert.equal(layout.lockKey('42'), `${key('42')}:lock`)
    })
  }
})
