// Shared state between processes: the seed's Manager program, and Python's
// Value/Array program, with each object living in Redis.
//
//   def modify(ns, lproxy, dproxy):
//       ns.a **= 2
//       lproxy.extend(['b', 'c'])
//       dproxy['b'] = 0
//
// Run: npm run shared-state --workspace examples   (REDIS_URL, default local)
import { type Context, connect, currentProcess } from '@redproc/shared'

const namespace = 'example-shared-state'
const tasks = new URL(import.meta.url)

export async function modify(mp: Context): Promise<void> {
  const ns = mp.namespace('ns')
  await ns.set('a', (await ns.get<number>('a')) ** 2)
  await mp.list('lproxy').extend(['b', 'c'])
  await mp.dict('dproxy').set('b', 0)
}

export async function negate(mp: Context): Promise<void> {
  await mp.value('num').set(Math.PI)
  const arr = mp.array<number>('arr')
  for (let i = 0; i < (await arr.length()); i++) await arr.set(i, -(await arr.get(i)))
}

// Python's `if __name__ == '__main__':` — the children import this module for their tasks.
if (currentProcess().name === 'MainProcess') {
  await using mp = await connect({ namespace })
  const ns = mp.namespace('ns')
  const lproxy = mp.list('lproxy')
  const dproxy = mp.dict('dproxy')
  await Promise.all([lproxy.clear(), dproxy.clear(), ns.set('a', 1)])
  await lproxy.append('a')
  await dproxy.set('b', 2)

  const p = mp.process({ target: 'modify', tasks })
  p.start()
  console.log('PID:', p.pid)
  await p.join()
  if (p.exitCode !== 0) throw new Error('the modify process failed')
  console.log(JSON.stringify(await ns.get('a')))
  console.log(JSON.stringify(await lproxy.toArray()))
  console.log(JSON.stringify(await dproxy.toObject()))

  // Value and Array: fixed-size shared memory in Python, Redis here.
  const num = mp.value('num', 0.0)
  const arr = mp.array('arr', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  await Promise.all([num.set(0.0), ...Array.from({ length: 10 }, (_, i) => arr.set(i, i))])
  const q = mp.process({ target: 'negate', tasks })
  q.start()
  await q.join()
  if (q.exitCode !== 0) throw new Error('the negate process failed')
  console.log(JSON.stringify(await num.get()))
  console.log(JSON.stringify(await arr.toArray()))
}
