import assert from 'node:assert/strict'
import { it } from 'node:test'
import { runExample } from './run-example.js'

// The producer sleeps random() * this many ms before each task (the seed: seconds).
process.env.PRODUCER_SLEEP_MS = '5'

it('producer-consumer: every task is doubled once, in order, up to the one past 0.9', async () => {
  for (let run = 0; run < 2; run++) {
    const { code, lines, stderr } = await runExample('producer-consumer')
    assert.equal(code, 0, stderr)
    // The producer stops (and says so) before main prints, since main joins it first.
    assert.equal(lines[0], 'stop producer')
    const results = lines.slice(1).map((line) => {
      const match = /^Result: (\S+)$/.exec(line)
      assert.ok(match, `unexpected line ${JSON.stringify(line)}`)
      return Number(match[1])
    })
    assert.ok(results.length >= 1)
    // Each result is double(wt) for a random() draw; the producer stops after
    // the first draw above 0.9, and one consumer keeps the order.
    for (const result of results) assert.ok(result >= 0 && result < 2, `${result}`)
    const last = results.pop() as number
    assert.ok(last > 1.8, `the last task should be the draw above 0.9, got ${last / 2}`)
    for (const result of results) assert.ok(result <= 1.8, `${result / 2} came before the stop`)
  }
})
