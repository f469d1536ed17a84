// Waits for lock 'l' until it is killed: a waiter that dies while queued.
import { childContext } from '../support/child-context.js'

const { mp } = await childContext()
await mp.lock('l').acquire()
await mp.close()
