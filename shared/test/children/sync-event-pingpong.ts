// Plays `rounds` rounds of ping-pong with events 'ping' and 'pong' as player
// `me`: wait for mine, clear it, set the other's. A lost wake-up stalls the
// game, which the timeout turns into a failure.
import { type ChildConfig, childContext } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { me: number; rounds: number }>()
const { me, rounds } = config
const mine = mp.event(me === 0 ? 'ping' : 'pong')
const theirs = mp.event(me === 0 ? 'pong' : 'ping')
for (let round = 0; round < rounds; round++) {
  if (!(await mine.wait({ timeout: 10_000 })))
    throw new Error(`player ${me} stalled at round ${round}`)
  await mine.clear()
  await theirs.set()
}
await mp.close()
