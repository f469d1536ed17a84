// Prints, as JSON, every kind of shared state the parent wrote in namespace argv[2].
import { connect } from '../../src/index.js'

const mp = await connect({ namespace: process.argv[2] })
const snapshot = {
  value: await mp.value('v').get(),
  array: await mp.array('a').toArray(),
  namespace: await mp.namespace('ns').toObject(),
  dict: await mp.dict('d').toObject(),
  list: await mp.list('l').toArray(),
}
process.stdout.write(JSON.stringify(snapshot))
await mp.close()
