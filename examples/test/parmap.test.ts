import assert from 'node:assert/strict'
import { it } from 'node:test'
import { runExample } from './run-example.js'

process.env.NPROCS = '3'

it('parmap: 3 worker processes square 0..99 through two queues, results in input order', async () => {
  const { code, lines, stderr } = await runExample('parmap')
  assert.equal(code, 0, stderr)
  assert.deepEqual(lines, [
    'parmap(square, range(100)) on 3 processes:',
    JSON.stringify(Array.from({ length: 100 }, (_, i) => i * i)),
  ])
})
