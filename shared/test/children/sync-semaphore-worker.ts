// argv[5] times: takes a permit of semaphore 's' (argv[4] permits), counts
// itself in 'inside' while holding it, and prints the most it saw inside.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const [permits, rounds] = [Number(args[0]), Number(args[1])]
const s = mp.semaphore('s', permits)
const inside = mp.value('inside', 0)
let most = 0
for (let round = 0; round < rounds; round++) {
  await s.withPermit(async () => {
    most = Math.max(most, await inside.add(1))
    await inside.add(-1)
  })
}
console.log(JSON.stringify({ most }))
await mp.close()
