// Passes barrier 'b' of `parties` parties `generations` times; prints the index of each pass.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

const { mp, config } = await childContext<ChildConfig & { parties: number; generations: number }>()
const barrier = mp.barrier('b', config.parties, { timeout: 20_000 })
const indices: number[] = []
for (let g = 0; g < config.generations; g++) indices.push(await barrier.wait())
report(indices)
await mp.close()
