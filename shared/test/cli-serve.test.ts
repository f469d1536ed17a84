import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { isRedprocError, listWorkers } from '../src/index.js'
import { runCli, runCliJson, startCli } from './support/cli.js'
import {
  masterNodes,
  openContext,
  redisTarget,
  TOPOLOGIES,
  type Topology,
} from './support/redis.js'
import { namespaceKeys } from './support/snapshot.js'
import { until } from './support/until.js'

const TASKS = fileURLToPath(new URL('./fixtures/tasks.ts', import.meta.url))

/** The CLI's options naming the Redis of `topology`. */
function cliTarget(topology: Topology): string[] {
  return topology === 'single'
    ? ['--redis', String(redisTarget())]
    : ['--cluster', process.env.REDIS_CLUSTER_NODES as string]
}

describe('redproc serve, drop and purge', () => {
  for (const topology of TOPOLOGIES)
    it(`serves a queue until SIGTERM; purge and drop wait for it to stop (${topology})`, async (t) => {
      const mp = await openContext(t, topology)
      const target = [...cliTarget(topology), '--namespace', mp.options.namespace]
      await mp.dict('kept').set('a', 1)
      const server = startCli(t, [
        ...target,
        'serve',
        '--tasks',
        TASKS,
        '--queue',
        'work',
        '--concurrency',
        '2',
        '--json',
      ])
      const serving = JSON.parse(await server.nextLine())
      assert.equal(serving.event, 'serving')
      assert.equal(serving.queue, 'work')
      assert.equal(serving.concurrency, 2)
      assert.equal(serving.host, hostname())
      assert.ok(serving.tasks.includes('double'))

      const pool = mp.pool({ queue: 'work' })
      assert.deepEqual(await pool.map('double', [1, 2, 3]), [2, 4, 6])
      await assert.rejects(pool.map('fail', ['boom']), (error) =>
        isRedprocError(error, 'REMOTE_TASK_FAILED'),
      )
      const failed = JSON.parse(await server.nextLine())
      assert.equal(failed.event, 'failed')
      assert.equal(failed.task, 'fail')
      assert.equal(failed.error.message, 'boom')

      const status = await runCliJson<{ workers: Array<Record<string, unknown>> }>(t, [
        ...target,
        'status',
      ])
      assert.equal(status.workers.length, 1)
      assert.equal(status.workers[0]?.pid, serving.pid)
      assert.equal(status.workers[0]?.queue, 'work')

      for (const args of [['purge'], ['drop', 'joinable-queue', 'work']]) {
        const refused = await runCli(t, [...target, ...args])
        assert.equal(refused.code, 1, refused.stderr)
        assert.match(
          refused.stderr,
          new RegExp(
            `^redproc: IN_USE: .* has 1 live worker \\(${hostname()} pid ${serving.pid} on 'work'\\): stop them first, or use --force\\n$`,
          ),
        )
        assert.equal(refused.stdout, '')
      }
      assert.deepEqual(await mp.dict('kept').toObject(), { a: 1 }, 'the refusals deleted nothing')

      server.kill('SIGTERM')
      const stopped = JSON.parse(await server.nextLine())
      // The jobs it ran: the map's chunks (as many as the pool chose) and the failure.
      assert.equal(stopped.event, 'stopped')
      assert.equal(stopped.failed, 1)
      assert.ok(stopped.processed >= 2, `processed ${stopped.processed}`)
      const exited = await server.exited
      assert.equal(exited.code, 0, exited.stderr)
      assert.deepEqual(await listWorkers(mp), [], 'the worker left the list')
      await pool.close()

      const purged = await runCli(t, [...target, 'purge'])
      assert.equal(purged.code, 0, purged.stderr)
      assert.match(purged.stdout, /^purged namespace 't-[0-9a-f]{8}': \d+ keys deleted\n$/)
      assert.deepEqual(await namespaceKeys(mp), [])
    })

  it('purge --force goes ahead while a worker is live', async (t) => {
    const mp = await openContext(t)
    const target = ['--redis', String(redisTarget()), '--namespace', mp.options.namespace]
    const server = startCli(t, [...target, 'serve', '--tasks', TASKS])
    assert.match(await server.nextLine(), /^serving queue 'tasks' in namespace 't-[0-9a-f]{8}'/)
    await mp.list('l').append(1)
    const purged = await runCliJson<{ deleted: number }>(t, [...target, 'purge', '--force'])
    assert.ok(purged.deleted >= 2, 'the list and the worker’s keys')
    assert.equal(await mp.list('l').length(), 0)
    server.kill('SIGINT')
    assert.match(await server.nextLine(), /^stopped: 0 processed, 0 failed$/)
    assert.equal((await server.exited).code, 0)
  })

  it('purges a Redis Cluster on every master', async (t) => {
    const mp = await openContext(t, 'cluster')
    const target = [...cliTarget('cluster'), '--namespace', mp.options.namespace]
    for (let i = 0; i < 12; i++) await mp.dict(`d${i}`).set('a', i)
    const pattern = `rp:{${mp.options.namespace}:*`
    const holding = await Promise.all(
      masterNodes(mp).map(async (node) => (await node.keys(pattern)).length > 0),
    )
    assert.ok(holding.filter(Boolean).length > 1, 'the keys lie on more than one master')
    const listed = await runCliJson<unknown[]>(t, [...target, 'ls', 'dict'])
    assert.equal(listed.length, 12)
    assert.deepEqual(await runCliJson(t, [...target, 'purge']), {
      namespace: mp.options.namespace,
      deleted: 12,
    })
    await until(async () => (await namespaceKeys(mp)).length === 0, 'every master is empty', 1000)
  })
})
