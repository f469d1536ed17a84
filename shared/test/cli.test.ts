import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { describe, it, type TestContext } from 'node:test'
import type { Context } from '../src/index.js'
import { type CliResult, runCli, runCliJson } from './support/cli.js'
import { openContext, redisTarget, uniqueNamespace } from './support/redis.js'
import { namespaceKeys } from './support/snapshot.js'

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string }

/** Where a terminal colour starts. */
const ESCAPE = '\u001b'

/** `redproc --redis <the test Redis> --namespace <mp's> args…` */
function inNamespace(t: TestContext, mp: Context, args: string[]): Promise<CliResult> {
  return runCli(t, ['--redis', String(redisTarget()), '--namespace', mp.options.namespace, ...args])
}

function jsonInNamespace<T>(t: TestContext, mp: Context, args: string[]): Promise<T> {
  return runCliJson<T>(t, [
    '--redis',
    String(redisTarget()),
    '--namespace',
    mp.options.namespace,
    ...args,
  ])
}

/** A refusal a person can read: one clear message, exit 2, no stack trace, nothing on stdout. */
function assertUsageError(result: CliResult, message: RegExp): void {
  assert.equal(result.code, 2, result.stderr)
  assert.match(result.stderr, message)
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  assert.equal(result.stdout, '')
}

/**
 * A namespace with some of everything: a joinable queue with one item held
 * by this process, a plain queue, a dict, a list, a held lock, a set event.
 */
async function seed(t: TestContext): Promise<Context> {
  const mp = await openContext(t)
  const jobs = mp.joinableQueue('jobs', { prefetch: 1 })
  await jobs.putMany([1, 2, 3])
  assert.equal(await jobs.get(), 1)
  await mp.queue('plain').putMany(['a', 'b'])
  await mp.dict('users').update({ ada: { langs: ['ts'] }, bob: 2 })
  await mp.list('log').extend([1, 2, 3, 4, 5])
  await mp.value('hits', 0).add(7)
  const lock = mp.lock('door')
  assert.equal(await lock.acquire(), true)
  await mp.event('ready').set()
  return mp
}

describe('the redproc command', () => {
  it('tells its version and its commands', async (t) => {
    const shown = await runCli(t, ['--version'])
    assert.equal(shown.code, 0)
    assert.equal(shown.stdout.trim(), version)
    const help = await runCli(t, ['--help'])
    assert.equal(help.code, 0)
    for (const command of ['status', 'ls', 'inspect', 'drop', 'purge', 'serve']) {
      assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'), command)
    }
    for (const option of ['--redis', '--cluster', '--namespace', '--json']) {
      assert.ok(help.stdout.includes(option), option)
    }
  })

  it('status shows the queues with who holds what, the workers and the sync objects', async (t) => {
    const mp = await seed(t)
    const result = await inNamespace(t, mp, ['status'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.split('\n')
    assert.equal(lines[0], `namespace '${mp.options.namespace}'`)
    assert.match(result.stdout, /^JOINABLE QUEUE +WAITING +LEASED +DELAYED +UNFINISHED .*HELD BY$/m)
    const holder = `${hostname()} pid ${process.pid} (1)`
    assert.ok(
      lines.some((line) => /^jobs +2 +1 +0 +3 +0 +0 +0 {2}/.test(line) && line.endsWith(holder)),
      result.stdout,
    )
    assert.match(result.stdout, /^plain +2$/m)
    assert.match(result.stdout, /^no live workers$/m)
    assert.match(result.stdout, /^event +ready +set +0$/m)
    assert.match(result.stdout, /^lock +door +held by [0-9a-f]{8} \(token 1, lease [\d.]+ s\) +0$/m)
    assert.ok(!result.stdout.includes(ESCAPE), 'no colours off a terminal')

    const status = await jsonInNamespace<{
      namespace: string
      joinableQueues: Array<Record<string, unknown>>
      queues: unknown[]
      workers: unknown[]
      sync: Array<{ kind: string; name: string }>
    }>(t, mp, ['status'])
    assert.equal(status.namespace, mp.options.namespace)
    assert.deepEqual(status.joinableQueues, [
      {
        name: 'jobs',
        waiting: 2,
        active: 1,
        delayed: 0,
        completed: 0,
        failed: 0,
        unfinished: 3,
        shutdown: null,
        totals: { completed: 0, failed: 0 },
        workers: 0,
        holders: [{ host: hostname(), pid: process.pid, leased: 1 }],
      },
    ])
    assert.deepEqual(status.queues, [{ name: 'plain', size: 2 }])
    assert.deepEqual(status.workers, [])
    assert.deepEqual(
      status.sync.map(({ kind, name }) => `${kind} ${name}`),
      ['event ready', 'lock door'],
    )
  })

  it('colours its tables only when asked to off a terminal', async (t) => {
    const mp = await seed(t)
    const target = ['--redis', String(redisTarget()), '--namespace', mp.options.namespace]
    const coloured = await runCli(t, [...target, 'status'], { FORCE_COLOR: '1' })
    assert.equal(coloured.code, 0, coloured.stderr)
    assert.ok(coloured.stdout.includes(`${ESCAPE}[1mJOINABLE QUEUE`), coloured.stdout)
  })

  it('ls lists the objects with their keys, of one kind when asked', async (t) => {
    const mp = await seed(t)
    const result = await inNamespace(t, mp, ['ls'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^KIND +NAME +KEYS$/m)
    for (const [kind, name] of [
      ['dict', 'users'],
      ['event', 'ready'],
      ['joinable-queue', 'jobs'],
      ['list', 'log'],
      ['lock', 'door'],
      ['queue', 'plain'],
      ['value', 'hits'],
    ]) {
      assert.match(result.stdout, new RegExp(`^${kind} +${name} +\\d+$`, 'm'), `${kind} ${name}`)
    }
    assert.deepEqual(await jsonInNamespace(t, mp, ['ls', 'dict']), [
      { kind: 'dict', name: 'users', keys: 1 },
    ])
    const empty = await runCli(t, ['--namespace', uniqueNamespace(), 'ls'], {
      REDIS_URL: String(redisTarget()),
    })
    assert.equal(empty.code, 0, empty.stderr)
    assert.match(empty.stdout, /^no objects in namespace 't-[0-9a-f]{8}'$/m)
  })

  it('inspect shows one object: content, counts, leases and holders', async (t) => {
    const mp = await seed(t)
    const dict = await inNamespace(t, mp, ['inspect', 'dict', 'users'])
    assert.equal(dict.code, 0, dict.stderr)
    assert.match(dict.stdout, /^size +2$/m)
    assert.match(dict.stdout, /^ada +\{"langs":\["ts"\]\}$/m)
    assert.deepEqual(await jsonInNamespace(t, mp, ['inspect', 'dict', 'users']), {
      kind: 'dict',
      name: 'users',
      namespace: mp.options.namespace,
      keys: 1,
      size: 2,
      shown: 2,
      content: { ada: { langs: ['ts'] }, bob: 2 },
    })

    const list = await jsonInNamespace<Record<string, unknown>>(t, mp, [
      'inspect',
      'list',
      'log',
      '--limit',
      '2',
    ])
    assert.deepEqual([list.length, list.shown, list.content], [5, 2, [1, 2]])
    const value = await jsonInNamespace<Record<string, unknown>>(t, mp, [
      'inspect',
      'value',
      'hits',
    ])
    assert.equal(value.content, 7)

    const queue = await inNamespace(t, mp, ['inspect', 'joinable-queue', 'jobs'])
    assert.equal(queue.code, 0, queue.stderr)
    assert.match(queue.stdout, /^leased +1$/m)
    assert.match(queue.stdout, /^unfinished +3$/m)
    assert.match(queue.stdout, new RegExp(`^1 +${hostname()} +${process.pid} +[\\d.]+ s$`, 'm'))
    const leases = await jsonInNamespace<{ leases: Array<Record<string, unknown>> }>(t, mp, [
      'inspect',
      'joinable-queue',
      'jobs',
    ])
    assert.deepEqual(
      leases.leases.map(({ id, host, pid }) => ({ id, host, pid })),
      [{ id: '1', host: hostname(), pid: process.pid }],
    )

    const lock = await jsonInNamespace<Record<string, unknown>>(t, mp, ['inspect', 'lock', 'door'])
    assert.deepEqual([lock.held, lock.fencingToken, lock.waiters], [true, 1, 0])
    const before = await namespaceKeys(mp)
    const absent = await jsonInNamespace(t, mp, ['inspect', 'array', 'none'])
    assert.deepEqual(absent, {
      kind: 'array',
      name: 'none',
      namespace: mp.options.namespace,
      keys: 0,
      length: 0,
      shown: 0,
      content: [],
    })
    assert.deepEqual(await namespaceKeys(mp), before, 'inspecting writes nothing')
  })

  it('drop deletes one object and says how many keys went', async (t) => {
    const mp = await seed(t)
    const dropped = await inNamespace(t, mp, ['drop', 'dict', 'users'])
    assert.equal(dropped.code, 0, dropped.stderr)
    assert.equal(dropped.stdout, "dropped dict 'users': 1 key deleted\n")
    assert.deepEqual(await mp.dict('users').toObject(), {})
    assert.deepEqual(await jsonInNamespace(t, mp, ['drop', 'list', 'log']), {
      kind: 'list',
      name: 'log',
      namespace: mp.options.namespace,
      deleted: 1,
    })
    assert.equal(await mp.list('log').length(), 0)
  })

  it('refuses bad input with a clear message, exit 2 and no stack trace', async (t) => {
    const mp = await seed(t)
    const before = await namespaceKeys(mp)
    const cases: Array<[string[], RegExp]> = [
      [['nope'], /error: unknown command 'nope'/],
      [['status', '--nope'], /error: unknown option '--nope'/],
      [['ls', 'sock'], /unknown kind 'sock': use one of queue, joinable-queue, pipe, lock/],
      [['inspect', 'sock', 'x'], /unknown kind 'sock'/],
      [['inspect', 'dict'], /error: missing required argument 'name'/],
      [['inspect'], /error: missing required argument 'kind'/],
      [['inspect', 'dict', 'bad name'], /name "bad name" is invalid/],
      [['drop', 'dict', '{x}'], /name "\{x\}" is invalid/],
      [['drop', 'dict'], /error: missing required argument 'name'/],
      [['inspect', 'list', 'log', '--limit', '0'], /use a whole number of at least 1/],
      [['--namespace', 'a b', 'status'], /namespace "a b" is invalid/],
      [['--cluster', 'nohost', 'status'], /'nohost' is not host:port/],
      [['serve'], /error: required option '--tasks <file>' not specified/],
      [['serve', '--tasks', 'x.js', '--concurrency', 'two'], /use a whole number of at least 1/],
    ]
    for (const [args, message] of cases) {
      const result = await inNamespace(t, mp, args)
      assertUsageError(result, message)
    }
    assert.deepEqual(await namespaceKeys(mp), before, 'bad input changed nothing')
  })

  it('says why it failed, as JSON with --json, and exits 1', async (t) => {
    const missing = await runCli(t, ['serve', '--tasks', 'no/such/tasks.js'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^redproc: tasks module no\/such\/tasks.js could not be loaded: /)
    assert.doesNotMatch(missing.stderr, /\n\s+at /)
    const unreachable = await runCli(t, ['--redis', 'redis://127.0.0.1:1', 'status', '--json'])
    assert.equal(unreachable.code, 1)
    assert.equal(unreachable.stdout, '')
    const { error } = JSON.parse(unreachable.stderr) as { error: { code: string; message: string } }
    assert.equal(error.code, 'CONNECTION')
    assert.match(error.message, /127\.0\.0\.1:1/)
  })
})
