// Waits once on condition 'c' (timeout argv[4] ms) and prints whether it was notified.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
const c = mp.condition('c')
await c.acquire()
const notified = await c.wait({ timeout: Number(args[0]) })
const levels = c.lock.heldLevels()
await c.release()
console.log(JSON.stringify({ notified, levels }))
await mp.close()
