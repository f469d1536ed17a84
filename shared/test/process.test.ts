import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { describe, it, type TestContext } from 'node:test'
import {
  activeChildren,
  type Context,
  connect,
  cpuCount,
  currentProcess,
  type Process,
  type ProcessOptions,
} from '../src/index.js'
import { startChild } from './support/children.js'
import { hasCode } from './support/error-codes.js'
import { openContext } from './support/redis.js'
import { until } from './support/until.js'

const tasks = new URL('./fixtures/process-tasks.ts', import.meta.url)

/** Starts `target` in a child; the child is killed if the test ends first. */
function started(t: TestContext, mp: Context, target: string, args: string[]): Process {
  const p = mp.process({ target, args, tasks })
  p.start()
  t.after(async () => {
    if (p.isAlive()) p.kill()
    await p.join()
  })
  return p
}

/** Starts a child that waits for the event `name`, and waits until it runs its task. */
async function waiting(t: TestContext, mp: Context, name: string): Promise<Process> {
  const p = started(t, mp, 'waitFor', [name])
  await until(async () => (await mp.dict('who').has(name)) && p.isAlive(), 'the child waits')
  return p
}

describe('mp.process()', () => {
  it('runs a TypeScript task in a child that squares a shared value the parent sees', async (t) => {
    const mp = await openContext(t)
    await mp.value('n', 0).set(7)
    const p = started(t, mp, 'square', ['n'])
    assert.equal(typeof p.pid, 'number')
    assert.notEqual(p.pid, process.pid)
    await p.join()
    assert.equal(p.exitCode, 0)
    assert.equal(p.isAlive(), false)
    assert.equal(await mp.value('n').get(), 49)
  })

  it('a child connects as its parent did, connectTimeoutMs: Infinity included', async (t) => {
    const parent = await openContext(t)
    const mp = await connect({ ...parent.options, connectTimeoutMs: Infinity })
    t.after(() => mp.close())
    await mp.value('n', 0).set(3)
    const p = started(t, mp, 'square', ['n'])
    await p.join()
    assert.equal(p.exitCode, 0)
    assert.equal(await mp.value('n').get(), 9)
  })

  it('gives a task that throws a non-zero exitCode and its error on stderr', async (t) => {
    const mp = await openContext(t)
    const parent = startChild(t, 'process-parent', {
      topology: 'single',
      namespace: mp.options.namespace,
    })
    assert.equal(await parent.result(), 1)
    const { stderr } = await parent.exited
    assert.match(stderr, /Process Process-1:\nError: the task broke\n\s+at fail /)
  })

  it('join({ timeout }) returns with the child still running; join() waits for its end', async (t) => {
    const mp = await openContext(t)
    const p = await waiting(t, mp, 'go')
    await p.join({ timeout: 50 })
    assert.equal(p.exitCode, null)
    assert.equal(p.isAlive(), true)
    await mp.event('go').set()
    await p.join()
    assert.equal(p.exitCode, 0)
  })

  it('terminate() and kill() end a child; exitCode is minus the signal', async (t) => {
    const mp = await openContext(t)
    const terminated = await waiting(t, mp, 'never-1')
    const killed = await waiting(t, mp, 'never-2')
    terminated.terminate()
    killed.kill()
    await Promise.all([terminated.join(), killed.join()])
    assert.equal(terminated.exitCode, -15)
    assert.equal(killed.exitCode, -9)
  })

  it('activeChildren() lists the children started here until they exit', async (t) => {
    const mp = await openContext(t)
    const p = await waiting(t, mp, 'go')
    assert.ok(activeChildren().includes(p))
    await mp.event('go').set()
    await p.join()
    assert.ok(!activeChildren().includes(p))
  })

  it('currentProcess() names the child, its pid and host; cpuCount() counts CPUs', async (t) => {
    const mp = await openContext(t)
    const p = mp.process({ target: 'waitFor', args: ['go'], tasks, name: 'worker-a' })
    p.start()
    t.after(() => (p.isAlive() ? p.kill() : undefined))
    await until(() => mp.dict('who').has('go'), 'the child says who it is')
    assert.deepEqual(await mp.dict('who').get('go'), {
      name: 'worker-a',
      pid: p.pid,
      host: hostname(),
    })
    assert.equal(p.name, 'worker-a')
    assert.equal(currentProcess().name, 'MainProcess')
    assert.equal(currentProcess().pid, process.pid)
    assert.ok(cpuCount() >= 1)
    await mp.event('go').set()
    await p.join()
  })

  it('refuses bad options with TYPE_ERROR, and misuse as Python does', async (t) => {
    const mp = await openContext(t)
    const bad = (options: unknown) => () => mp.process(options as ProcessOptions)
    assert.throws(bad(undefined), hasCode('TYPE_ERROR'))
    assert.throws(bad({ target: 'square' }), hasCode('TYPE_ERROR'))
    assert.throws(bad({ target: 1, tasks }), hasCode('TYPE_ERROR'))
    assert.throws(bad({ target: 'square', tasks, extra: 1 }), hasCode('TYPE_ERROR'))
    assert.throws(bad({ target: 'square', tasks, args: 'n' }), hasCode('TYPE_ERROR'))
    assert.throws(bad({ target: 'square', tasks, args: [() => 1] }), hasCode('NOT_SERIALIZABLE'))
    const p = mp.process({ target: 'square', args: ['n'], tasks })
    await assert.rejects(p.join(), hasCode('VALUE_ERROR'))
    assert.throws(() => p.terminate(), hasCode('VALUE_ERROR'))
    await mp.value('n', 0).set(2)
    p.start()
    assert.throws(() => p.start(), hasCode('VALUE_ERROR'))
    await assert.rejects(p.join({ timeout: '1' } as never), hasCode('TYPE_ERROR'))
    await assert.rejects(p.join({ wait: 1 } as never), hasCode('TYPE_ERROR'))
    await p.join()
    assert.equal(p.exitCode, 0)
  })
})
