import assert from 'node:assert/strict'
import { it } from 'node:test'
import { runExample } from './run-example.js'

const squares = '[0,1,4,9,16,25,36,49,64,81]'
const primes = '[true,true,false,true,true,false]'

for (const backend of ['local', 'redis']) {
  it(`pool-map (${backend}): Pool.map and parmap give ordered results`, async () => {
    const { code, lines, stderr } = await runExample(
      'pool-map',
      backend === 'redis' ? ['redis'] : [],
    )
    assert.equal(code, 0, stderr)
    assert.deepEqual(lines, [squares, primes])
  })
}
