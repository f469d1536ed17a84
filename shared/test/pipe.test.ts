import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { type Context, EOFError, Timeout, ValueError } from '../src/index.js'
import type { StepResult } from './children/pipe-end.js'
import {
  blockedCount,
  connectionName,
  openNamedContext,
  waitForBlocked,
} from './support/blocked-connections.js'
import { type RunningChild, startChild } from './support/children.js'
import { hasCode, msUntilRefused } from './support/error-codes.js'
import { openContext, TOPOLOGIES, type Topology } from './support/redis.js'
import { assertRefusedWithoutWrite, namespaceKeys } from './support/snapshot.js'
import { until } from './support/until.js'

/** Runs `steps` on one end of pipe `name` ('p') in a child process; see children/pipe-end.ts. */
function pipeChild(
  t: TestContext,
  topology: Topology,
  mp: Context,
  config: { name?: string; end: 0 | 1; duplex?: boolean; steps: unknown[] },
  connectionName?: string,
): RunningChild {
  const { namespace } = mp.options
  return startChild(t, 'pipe-end', { topology, namespace, connectionName, name: 'p', ...config })
}

for (const topology of TOPOLOGIES) {
  describe(`pipe (${topology})`, () => {
    it('carries JSON values both ways, in order, under keys sharing one hash tag', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe('p')
      assert.equal(a.readable && a.writable && b.readable && b.writable, true)
      await a.send({ n: 1 })
      await a.send([null, 'x'])
      await b.send('back')
      assert.deepEqual(await b.recv(), { n: 1 })
      assert.deepEqual(await b.recv({ timeout: 1000 }), [null, 'x'])
      assert.equal(await a.recv(), 'back')
      await a.send(1)
      const keys = await namespaceKeys(mp)
      const tag = `{${mp.options.namespace}:pipe:p}`
      assert.ok(keys.length >= 2)
      for (const key of keys) assert.ok(key.includes(tag), `${key} lacks the hash tag ${tag}`)
      assert.deepEqual(await mp.redis.lrange(`rp:${tag}:inbox:1`, 0, -1), ['1'])
    })

    it("the seed's hello: a child sends ['hello'] through its end, the parent receives it", async (t) => {
      const mp = await openContext(t, topology)
      const [parentConn] = mp.pipe('hello')
      const child = pipeChild(t, topology, mp, {
        name: 'hello',
        end: 1,
        steps: [{ send: ['hello'] }, { close: true }],
      })
      assert.deepEqual(await parentConn.recv(), ['hello'])
      assert.deepEqual(await child.result<StepResult[]>(), [{ value: null }, { value: null }])
      await assert.rejects(parentConn.recv(), (error) => error instanceof EOFError)
    })

    it('recv fails with EOF only once the peer closed and everything sent was read', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe<number>('p')
      await b.send(1)
      await b.send(2)
      await b.close()
      assert.equal(await a.poll(), true)
      assert.equal(await a.recv(), 1)
      assert.equal(await a.recv({ timeout: 1000 }), 2)
      for (let i = 0; i < 3; i++) await assert.rejects(a.recv(), hasCode('EOF'))
      await assert.rejects(mp.pipe('p')[0].recvBytes(), hasCode('EOF'))
      assert.equal(await a.poll(), true, 'poll says recv would not block')
      assert.equal(await a.poll(1000), true)
    })

    it('a recv blocked in another process wakes with EOF when the peer closes', async (t) => {
      const mp = await openContext(t, topology)
      const name = connectionName()
      const child = pipeChild(
        t,
        topology,
        mp,
        { end: 0, steps: [{ recv: {} }, { recv: {} }, { poll: 0 }] },
        name,
      )
      await waitForBlocked(mp, name)
      const b = mp.pipe('p')[1]
      await b.send('last words')
      await b.close()
      assert.deepEqual(await child.result<StepResult[]>(), [
        { value: 'last words' },
        { error: 'EOF' },
        { ready: true },
      ])
    })

    it('send fails with EOF once the other end is closed (a broken pipe), writing nothing', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe('p')
      await a.send('unread')
      await b.close()
      await assertRefusedWithoutWrite(mp, 'EOF', () => a.send('more'))
      await assertRefusedWithoutWrite(mp, 'EOF', () => a.sendBytes(Buffer.from('more')))
      await assert.rejects(a.send('x'), (error) => error instanceof EOFError)
    })

    it('a closed end refuses every call, through this handle and through any other', async (t) => {
      const mp = await openContext(t, topology)
      const [a] = mp.pipe('p')
      await a.close()
      await a.close()
      assert.equal(a.closed, true)
      for (const call of [
        () => a.send(1),
        () => a.sendBytes(Buffer.from('x')),
        () => a.recv(),
        () => a.recvBytes(),
        () => a.poll(),
      ]) {
        await assert.rejects(call(), (error) => error instanceof ValueError)
      }
      const again = mp.pipe('p')[0]
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => again.send(1))
      await assert.rejects(again.recv(), hasCode('VALUE_ERROR'))
    })

    it('closing an end wakes its receivers in other processes, which learn it closed', async (t) => {
      const mp = await openContext(t, topology)
      const name = connectionName()
      const child = pipeChild(t, topology, mp, { end: 0, steps: [{ recv: {} }] }, name)
      await waitForBlocked(mp, name)
      await mp.pipe('p')[0].close()
      assert.deepEqual(await child.result<StepResult[]>(), [{ error: 'VALUE_ERROR' }])
    })

    it('closing drops unread messages, and closing both ends deletes every key', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe('p')
      await a.send('never read')
      await b.send('never read either')
      await b.close()
      assert.equal(await mp.redis.exists(`rp:{${mp.options.namespace}:pipe:p}:inbox:1`), 1)
      await a.close()
      assert.deepEqual(await namespaceKeys(mp), [])
      // The name is free for a new pipe.
      const [c, d] = mp.pipe('p')
      await c.send('new')
      assert.equal(await d.recv(), 'new')
    })

    it('one-way: end 0 receives, end 1 sends, and each refuses the other direction', async (t) => {
      const mp = await openContext(t, topology)
      const [r, w] = mp.pipe('p', { duplex: false })
      assert.deepEqual([r.readable, r.writable, w.readable, w.writable], [true, false, false, true])
      await w.send('one way')
      assert.equal(await r.recv(), 'one way')
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => r.send('back'))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => r.sendBytes(Buffer.from('b')))
      await assert.rejects(w.recv(), (error) => error instanceof ValueError)
      await assert.rejects(w.recvBytes(), hasCode('VALUE_ERROR'))
      await assert.rejects(w.poll(), hasCode('VALUE_ERROR'))
      // A handle that takes the one-way pipe for a duplex one is told so, and writes nothing.
      const [wrongR] = mp.pipe('p')
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => wrongR.send('back'))
      await assert.rejects(wrongR.send('back'), /one-way/)
      await w.close()
      await assert.rejects(r.recv(), hasCode('EOF'))
    })

    it('one-way across processes: a child writes through end 1 and closes', async (t) => {
      const mp = await openContext(t, topology)
      const [r] = mp.pipe('p', { duplex: false })
      const child = pipeChild(t, topology, mp, {
        end: 1,
        duplex: false,
        steps: [{ send: 1 }, { send: 2 }, { recv: {} }, { close: true }],
      })
      assert.deepEqual(await child.result<StepResult[]>(), [
        { value: null },
        { value: null },
        { error: 'VALUE_ERROR' },
        { value: null },
      ])
      assert.deepEqual([await r.recv(), await r.recv()], [1, 2])
      await assert.rejects(r.recv(), hasCode('EOF'))
    })

    it('sendBytes and recvBytes carry any bytes exactly; values and bytes share the channel', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe('p')
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
      await a.sendBytes(all)
      await a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]), 1, 3)
      await a.sendBytes(Buffer.alloc(0))
      await a.send({ as: 'json' })
      await a.sendBytes(Buffer.from('[1,"two"]'))
      await a.sendBytes(Buffer.from([0xff, 0xfe]))
      assert.deepEqual(await b.recvBytes(), all)
      assert.deepEqual(await b.recvBytes({ timeout: 1000 }), Buffer.from([2, 3, 4]))
      assert.deepEqual(await b.recvBytes(), Buffer.alloc(0))
      assert.deepEqual(await b.recvBytes(), Buffer.from('{"as":"json"}'))
      assert.deepEqual(await b.recv(), [1, 'two'])
      await assert.rejects(b.recv(), hasCode('NOT_SERIALIZABLE'))
    })

    it('bytes cross processes unchanged', async (t) => {
      const mp = await openContext(t, topology)
      const [a] = mp.pipe('p')
      const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256))
      const child = pipeChild(t, topology, mp, {
        end: 1,
        steps: [{ recvBytes: {} }, { sendBytes: bytes.toString('base64') }],
      })
      await a.sendBytes(bytes)
      assert.deepEqual(await child.result<StepResult[]>(), [
        { bytes: bytes.toString('base64') },
        { value: null },
      ])
      assert.deepEqual(await a.recvBytes(), bytes)
    })

    it('refuses bad messages and arguments before writing anything', async (t) => {
      const mp = await openContext(t, topology)
      assert.throws(() => mp.pipe('no spaces'), hasCode('INVALID_NAME'))
      const [a] = mp.pipe('p')
      await a.send('something')
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => a.send(new Date() as never))
      await assertRefusedWithoutWrite(mp, 'NOT_SERIALIZABLE', () => a.send(undefined as never))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => a.sendBytes('text' as never))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => a.sendBytes(Buffer.from('x'), 0.5))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => a.sendBytes(Buffer.from('x'), 2))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => a.sendBytes(Buffer.from('x'), 0, 2))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => a.sendBytes(Buffer.from('x'), -1))
      await assertRefusedWithoutWrite(mp, 'VALUE_ERROR', () => a.recv({ timeout: -1 }))
      await assertRefusedWithoutWrite(mp, 'TYPE_ERROR', () => a.poll('1' as never))
    })

    it('recv({ timeout: 200 }) with nothing sent fails with TIMEOUT after about 200 ms', async (t) => {
      const mp = await openContext(t, topology)
      const [a] = mp.pipe('p')
      const elapsed = await msUntilRefused('TIMEOUT', () => a.recv({ timeout: 200 }))
      assert.ok(elapsed >= 199 && elapsed < 1200, `TIMEOUT after ${elapsed} ms`)
      await assert.rejects(a.recvBytes({ timeout: 10 }), (error) => error instanceof Timeout)
    })

    it('poll answers at once by default, waits up to its timeout, and takes nothing', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe('p')
      let started = performance.now()
      assert.equal(await a.poll(), false)
      assert.ok(performance.now() - started < 150)
      started = performance.now()
      assert.equal(await a.poll(200), false)
      const elapsed = performance.now() - started
      assert.ok(elapsed >= 199 && elapsed < 1200, `poll(200) took ${elapsed} ms`)
      await b.send('x')
      assert.equal(await a.poll(), true)
      assert.equal(await a.poll(1000), true)
      assert.equal(await a.poll(Number.POSITIVE_INFINITY), true)
      assert.equal(await a.recv(), 'x')
      assert.equal(await a.poll(), false)
    })

    it('poll with a negative timeout answers at once, as in Python', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe('p')
      for (const timeout of [-1, -1000, Number.NEGATIVE_INFINITY]) {
        const started = performance.now()
        assert.equal(await a.poll(timeout), false)
        assert.ok(performance.now() - started < 150, `poll(${timeout}) waited`)
      }
      await b.send('x')
      assert.equal(await a.poll(-1), true)
      assert.equal(await a.recv(), 'x')
    })

    it('a blocked poll wakes when another process sends, and the message stays', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const [a] = named.pipe('p')
      const polls = [a.poll(20_000), a.poll(Number.POSITIVE_INFINITY)]
      await waitForBlocked(mp, name)
      const child = pipeChild(t, topology, mp, {
        end: 1,
        steps: [{ send: 'hi' }],
      })
      await child.result<StepResult[]>()
      assert.deepEqual(await Promise.all(polls), [true, true])
      assert.equal(await a.recv({ timeout: 0 }), 'hi')
    })

    it('concurrent recvs in one process each take a different message, in order', async (t) => {
      const mp = await openContext(t, topology)
      const [a, b] = mp.pipe<number>('p')
      const recvs = Array.from({ length: 20 }, () => a.recv())
      for (let i = 0; i < 20; i++) await b.send(i)
      assert.deepEqual(
        await Promise.all(recvs),
        Array.from({ length: 20 }, (_, i) => i),
      )
    })

    it('closing a handle fails its own waiting recv and poll with VALUE_ERROR', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const [a] = named.pipe('p')
      const recv = assert.rejects(a.recv(), hasCode('VALUE_ERROR'))
      const poll = assert.rejects(a.poll(30_000), hasCode('VALUE_ERROR'))
      await waitForBlocked(mp, name, 2)
      await a.close()
      await recv
      await poll
      await until(async () => (await blockedCount(mp, name)) === 0, 'the blocked calls end')
    })

    it('closing the context ends blocked recv and poll promptly', async (t) => {
      const mp = await openContext(t, topology)
      const { mp: named, connectionName: name } = await openNamedContext(t, mp, topology)
      const [a] = named.pipe('p')
      const recv = assert.rejects(a.recv(), hasCode('CONNECTION'))
      const poll = assert.rejects(a.poll(30_000), hasCode('CONNECTION'))
      await waitForBlocked(mp, name, 2)
      const started = performance.now()
      await named.close()
      assert.ok(performance.now() - started < 3000)
      await recv
      await poll
      assert.equal(await blockedCount(mp, name), 0)
      await assert.rejects(a.recv(), hasCode('CONNECTION'))
      await assert.rejects(a.poll(100), hasCode('CONNECTION'))
    })
  })
}
