// Plays argv[5] rounds of ping-pong with events 'ping' and 'pong' as player
// argv[4]: wait for mine, clear it, set the other's. A lost wake-up stalls the
// game, which the timeout turns into a failure.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const [me, rounds] = [Number(args[0]), Number(args[1])]
const mine = mp.event(me === 0 ? 'ping' : 'pong')
const theirs = mp.event(me === 0 ? 'pong' : 'ping')
for (let round = 0; round < rounds; round++) {
  if (!(await mine.wait({ timeout: 10_000 })))
    throw new Error(`player ${me} stalled at round ${round}`)
  await mine.clear()
  await theirs.set()
}
await mp.close()
