import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, isRedprocError, type Logger, serve } from '../src/index.js'
import { NO_WORKER_WARNING_MS } from '../src/pool/redis-backend.js'
import * as tasks from './fixtures/tasks.js'
import { runChild, startChild } from './support/children.js'
import { openContext, redisTarget } from './support/redis.js'
import { until } from './support/until.js'

/** A logger that keeps what it is told to warn. */
function warningsLogger(): Logger & { warnings: { fields: object; message?: string }[] } {
  const warnings: { fields: object; message?: string }[] = []
  const ignore = () => {}
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (fields, message) =>
      warnings.push(message === undefined ? { fields } : { fields, message }),
  }
}

describe('pools and joins that say why they wait', () => {
  it('a redis pool nobody serves warns once through the logger, and goes on once served', async (t) => {
    const cleanup = await openContext(t)
    const { namespace } = cleanup.options
    const logger = warningsLogger()
    const mp = await connect({ redis: redisTarget(), namespace, logger })
    t.after(() => mp.close())
    const pending = mp.pool({ queue: 'unserved' }).mapAsync('double', [1, 2, 3], { chunksize: 1 })
    await assert.rejects(pending.get({ timeout: 100 }), (error) => {
      assert.ok(isRedprocError(error, 'TIMEOUT'))
      const where = `queue 'unserved' in namespace '${namespace}', 0 live workers`
      assert.ok(String(error).includes(`within 100 ms (${where})`), String(error))
      return true
    })
    await until(() => logger.warnings.length > 0, 'the pool warned', 3 * NO_WORKER_WARNING_MS)
    const [warning] = logger.warnings
    assert.deepEqual(warning?.fields, { queue: 'unserved', namespace })
    assert.match(String(warning?.message), /3 chunk\(s\) wait, and no live worker serves the queue/)
    // Nothing more is said, however long it waits: the absence needs the time to pass.
    await sleep(NO_WORKER_WARNING_MS + 500)
    assert.equal(logger.warnings.length, 1, 'warned once')
    const server = await serve(mp, { queue: 'unserved', tasks, heartbeatMs: 100 })
    t.after(() => server.stop())
    assert.deepEqual(await pending.get({ timeout: 10_000 }), [2, 4, 6])
  })

  it('without a logger, the warning goes to stderr', async (t) => {
    const mp = await openContext(t)
    const { namespace } = mp.options
    const child = startChild(t, 'pool-unserved', { topology: 'single', namespace })
    const timedOut = await child.next<string>()
    assert.match(timedOut, /0 live workers/)
    const { stderr } = await child.exited
    assert.match(
      stderr,
      new RegExp(
        `Warning: pool on queue 'unserved' in namespace '${namespace}': 2 chunk\\(s\\) wait`,
      ),
    )
    assert.equal(stderr.match(/no live worker serves/g)?.length, 1)
  })

  it("a redis pool's TIMEOUT counts the live workers of its queue", async (t) => {
    const mp = await openContext(t)
    const server = await serve(mp, { queue: 'jobs', tasks, heartbeatMs: 100 })
    t.after(() => server.stop())
    const slow = mp.pool({ queue: 'jobs' }).applyAsync('slowDouble', [1, 1000])
    await assert.rejects(slow.get({ timeout: 50 }), (error) =>
      String(error).includes(
        `(queue 'jobs' in namespace '${mp.options.namespace}', 1 live worker)`,
      ),
    )
    assert.equal(await slow.get(), 2)
  })

  it("join's TIMEOUT tells the unfinished items, who holds the leased ones, and the live workers", async (t) => {
    const mp = await openContext(t)
    const { namespace } = mp.options
    const q = mp.joinableQueue<number>('jobs')
    await q.putMany([1, 2, 3])
    const holder = startChild(t, 'jq-holder', {
      topology: 'single',
      namespace,
      queue: 'jobs',
      count: 2,
      // waiting for a word that never comes keeps it alive, holding the items
      after: 'ack-on-go',
      goKey: `${namespace}:never`,
    })
    await holder.next()
    await assert.rejects(q.join({ timeout: 100 }), (error) => {
      assert.ok(isRedprocError(error, 'TIMEOUT'))
      assert.equal(
        (error as Error).message,
        `joinable-queue 'jobs' in namespace '${namespace}': join() timed out with 3 items ` +
          `unfinished (1 waiting; 2 leased: ${hostname()} pid ${holder.pid} holds 2); ` +
          '0 live workers serve the queue',
      )
      return true
    })
  })

  for (const backend of ['threads', 'processes'] as const) {
    it(`a script that leaves a ${backend} pool open still ends`, async (t) => {
      const mp = await openContext(t)
      const config = { topology: 'single', namespace: mp.options.namespace, backend } as const
      const { stdout } = await runChild(t, 'pool-left-open', config, 30_000)
      assert.deepEqual(JSON.parse(stdout.trim()), [2, 4, 6])
    })
  }
})
