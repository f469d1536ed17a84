import assert from 'node:assert/strict'
import { it } from 'node:test'
import { connect } from '@redproc/shared'
import { runExample } from './run-example.js'

it("pipe-hello: the parent prints the ['hello'] a child process sent through the pipe", async () => {
  const { code, lines, stderr } = await runExample('pipe-hello')
  assert.equal(code, 0, stderr)
  assert.deepEqual(lines, ['["hello"]'])
  // Both ends were closed, so the pipe left nothing behind in Redis.
  await using mp = await connect({ namespace: 'example-pipe-hello' })
  assert.deepEqual(await mp.redis.keys('rp:{example-pipe-hello:pipe:*'), [])
})
