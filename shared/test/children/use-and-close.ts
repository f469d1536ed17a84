// Touches every kind of object, closes the context, and must then exit by itself.
import { connect } from '../../src/index.js'

const mp = await connect({ namespace: process.argv[2] })
await mp.value('v', 0).add(1)
await mp.array('a', [1]).get(0)
await mp.namespace('ns').set('x', 1)
await mp.dict('d').set('k', 'v')
await mp.list('l').append(1)
await mp.close()
