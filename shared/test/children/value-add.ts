// Adds 1 to the shared value 'n' argv[3] times, one awaited add at a time.
import { connect } from '../../src/index.js'

const mp = await connect({ namespace: process.argv[2] })
const n = mp.value('n', 0)
for (let i = 0; i < Number(process.argv[3]); i++) await n.add(1)
await mp.close()
