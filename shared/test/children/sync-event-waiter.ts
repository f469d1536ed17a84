// Waits on event 'e' (timeout argv[4] ms) and prints whether it was set.
import { childContext } from './sync-support.js'

const { mp, args } = await childContext()
console.log(JSON.stringify({ set: await mp.event('e').wait({ timeout: Number(args[0]) }) }))
await mp.close()
