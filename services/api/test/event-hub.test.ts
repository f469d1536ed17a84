import assert from 'node:assert/strict'
import { it } from 'node:test'
import { EventHub, type HubEvent } from '../src/monitoring/event-hub.js'

it('replays the numbered events after Last-Event-ID, never the unnumbered state', () => {
  const hub = new EventHub(3)
  hub.publish('worker:up', 'a')
  hub.broadcast('state', {})
  hub.publish('worker:up', 'b')
  hub.publish('worker:down', 'a')
  hub.publish('queue:drained', 'q')
  const seen: HubEvent[] = []
  const unsubscribe = hub.subscribe((event) => seen.push(event), 2)
  assert.deepEqual(seen, [
    { id: 3, type: 'worker:down', data: 'a' },
    { id: 4, type: 'queue:drained', data: 'q' },
  ])
  hub.broadcast('state', { now: 1 })
  assert.deepEqual(seen.at(-1), { type: 'state', data: { now: 1 } })
  unsubscribe()
  assert.equal(hub.subscribers, 0)
})

it('keeps only the last `capacity` events for resume', () => {
  const hub = new EventHub(2)
  for (const n of [1, 2, 3]) hub.publish('e', n)
  const seen: unknown[] = []
  hub.subscribe((event) => seen.push(event.data), 0)
  assert.deepEqual(seen, [2, 3])
})
