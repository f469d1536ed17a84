// Plays `rounds` rounds of ping-pong on condition 'c' and value 'turn' as
// player `me` (0 or 1): wait for my turn, pass it on, notify. A lost
// wake-up stalls the game, which the timeout turns into a failure.
import { type ChildConfig, childContext } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { me: number; rounds: number }>()
const { me, rounds } = config
const c = mp.condition('c')
const turn = mp.value('turn', 0)
for (let round = 0; round < rounds; round++) {
  await c.withLock(async () => {
    const mine = await c.waitFor(async () => (await turn.get()) === me, { timeout: 10_000 })
    if (!mine) throw new Error(`player ${me} stalled at round ${round}`)
    await turn.set(1 - me)
    await c.notify()
  })
}
await mp.close()
