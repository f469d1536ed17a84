// The seed's modify(ns, lproxy, dproxy): ns.a **= 2; l.extend(['b', 'c']); d['b'] = 0
import { connect } from '../../src/index.js'

const mp = await connect({ namespace: process.argv[2] })
const ns = mp.namespace('ns')
await ns.set('a', (await ns.get<number>('a')) ** 2)
await mp.list('l').extend(['b', 'c'])
await mp.dict('d').set('b', 0)
await mp.close()
