// Plays argv[5] rounds of ping-pong on condition 'c' and value 'turn' as
// player argv[4] (0 or 1): wait for my turn, pass it on, notify. A lost
// wake-up stalls the game, which the timeout turns into a failure.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const [me, rounds] = [Number(args[0]), Number(args[1])]
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
