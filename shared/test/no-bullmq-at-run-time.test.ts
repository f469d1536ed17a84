// BullMQ is an interop, not a dependency: the library names BullMQ's keys and
// runs its own scripts, so a process that uses redproc, joinable queues
// included, never loads the BullMQ package (installed here for the tests).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openContext } from './support/redis.js'

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
const RECORDER = fileURLToPath(new URL('./support/record-modules.mjs', import.meta.url))

/** Takes and acknowledges an item, then waits until a stalled-job check has run. */
const CONSUMER = `
const { connect } = await import('@redproc/shared')
const mp = await connect({ redis: process.env.REDIS_URL, namespace: process.env.NAMESPACE })
const q = mp.joinableQueue('jobs', { lease: 300 })
await q.put(1)
await q.get()
await q.taskDone()
const guard = q.bullmq.prefix + ':' + q.bullmq.name + ':stalled-check'
while ((await mp.redis.exists(guard)) === 0) await new Promise((resolve) => setTimeout(resolve, 10))
await mp.close()
`

describe('the built package at run time', () => {
  it('loads no module of BullMQ, joinable queues included', async (t) => {
    if (!existsSync(join(PACKAGE, 'dist', 'index.js')))
      throw new Error('dist/index.js is missing: build the package first (npm run build)')
    const mp = await openContext(t)
    const dir = mkdtempSync(join(tmpdir(), 'redproc-modules-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const record = join(dir, 'modules.txt')
    const child = spawn(
      process.execPath,
      ['--import', RECORDER, '--input-type=module', '--eval', CONSUMER],
      {
        cwd: PACKAGE,
        env: { ...process.env, NAMESPACE: mp.options.namespace, RECORD_MODULES: record },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    )
    const [code] = await once(child, 'exit')
    assert.equal(code, 0)
    const modules = readFileSync(record, 'utf8').split('\n').filter(Boolean)
    // The record sees the package and its dependencies, ES modules and CommonJS alike...
    assert.ok(modules.some((module) => module.endsWith('/shared/dist/index.js')))
    assert.ok(modules.some((module) => /^file:.*\/node_modules\/ioredis\//.test(module)))
    assert.ok(modules.some((module) => /^\/.*\/node_modules\/ioredis\//.test(module)))
    // ...and nothing of BullMQ.
    assert.deepEqual(
      modules.filter((module) => module.includes('/node_modules/bullmq/')),
      [],
    )
  })
})
