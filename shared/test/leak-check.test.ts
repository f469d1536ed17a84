import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const LEAKY = fileURLToPath(new URL('./fixtures/leaky.ts', import.meta.url))

describe('the leak check of openContext', () => {
  it('fails a test that leaves a timer or a client open, and passes one that closes them', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', LEAKY],
      // Run as a test file of its own, not as a part of this one.
      { encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined }, timeout: 60_000 },
    )
    const output = run.stdout
    assert.match(output, /not ok \d+ - leaves an interval running/)
    assert.match(output, /left open: a timer \(an anonymous function, every 60000 ms\)/)
    assert.match(output, /not ok \d+ - leaves a context open/)
    assert.match(output, /left open: a socket/)
    assert.match(output, /\nok \d+ - cleans up after itself/)
    assert.notEqual(run.status, 0)
  })
})
