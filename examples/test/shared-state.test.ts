import assert from 'node:assert/strict'
import { it } from 'node:test'
import { runExample } from './run-example.js'

it("shared-state: the child's changes to ns, list, dict, value and array reach the parent", async () => {
  const { code, lines } = await runExample('shared-state')
  assert.equal(code, 0)
  assert.match(lines[0] ?? '', /^PID: \d+$/)
  assert.deepEqual(lines.slice(1), [
    '1',
    '["a","b","c"]',
    '{"b":0}',
    '3.141592653589793',
    '[0,-1,-2,-3,-4,-5,-6,-7,-8,-9]',
  ])
})
