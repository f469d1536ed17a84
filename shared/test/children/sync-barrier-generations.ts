// Passes barrier 'b' of argv[4] parties argv[5] times; prints the index of each pass.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const [parties, generations] = [Number(args[0]), Number(args[1])]
const barrier = mp.barrier('b', parties, { timeout: 20_000 })
const indices: number[] = []
for (let g = 0; g < generations; g++) indices.push(await barrier.wait())
console.log(JSON.stringify(indices))
await mp.close()
