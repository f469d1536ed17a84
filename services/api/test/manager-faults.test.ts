import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRedprocError, RemoteManager } from '@redproc/shared'
import { AUTHKEY, openContext, startApi, uniqueNamespace } from '@redproc/test-support'

const CALLERS = 200

describe('RemoteManager when its api dies', () => {
  it('a batch cut by SIGKILL: each call gets its value or CONNECTION; no acknowledged incr is lost, none is applied twice', async (t) => {
    const namespace = uniqueNamespace()
    const api = await startApi(t, { namespace, args: ['--rate-limit', '0'] })
    const mp = await openContext(t, namespace)
    const manager = await RemoteManager.connect(api.url, { authkey: AUTHKEY, timeoutMs: 10_000 })
    t.after(() => manager.close())
    const counters = manager.dict<number>('counters')

    let sent = 0
    let acknowledged = 0
    const refusals = new Map<string, number>()
    let killed = false
    const killing = setTimeout(() => {
      killed = true
      api.process.signal('SIGKILL')
    }, 400)
    t.after(() => clearTimeout(killing))
    // Rounds of concurrent increments (one request each round, as the batcher
    // gathers them) until a round meets the dead server.
    while (refusals.size === 0) {
      const round = Array.from({ length: CALLERS }, () => counters.incr('n', 1))
      sent += CALLERS
      for (const outcome of await Promise.allSettled(round)) {
        if (outcome.status === 'fulfilled') {
          acknowledged++
          continue
        }
        const error = outcome.reason
        assert.ok(isRedprocError(error), `not a RedprocError: ${error}`)
        refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1)
      }
    }
    assert.ok(killed, 'a call failed before the api was killed')
    assert.deepEqual([...refusals.keys()], ['CONNECTION'])
    assert.ok(acknowledged > 0, 'no call was answered before the kill')
    await api.process.exited

    const stored = Number(await mp.dict<number>('counters').get('n', 0))
    assert.ok(stored >= acknowledged, `acknowledged ${acknowledged}, stored ${stored}: lost`)
    assert.ok(stored <= sent, `sent ${sent}, stored ${stored}: applied twice`)
    // The manager serves again once an api does.
    const again = await startApi(t, { namespace, args: ['--rate-limit', '0'] })
    const revived = await RemoteManager.connect(again.url, { authkey: AUTHKEY })
    t.after(() => revived.close())
    assert.equal(await revived.dict<number>('counters').incr('n', 1), stored + 1)
  })
})
