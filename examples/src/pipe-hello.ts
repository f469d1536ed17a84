// The seed's pipe program: a child process sends ['hello'] through its end
// of a pipe, and the parent receives it from the other end.
//
//   def f(conn):
//       conn.send(['hello'])
//       conn.close()
//
//   parent_conn, child_conn = Pipe()
//   p = Process(target=f, args=(child_conn,))
//   p.start()
//   print parent_conn.recv()
//   p.join()
//
// Run: npm run pipe-hello --workspace examples   (REDIS_URL, default local)
import { randomUUID } from 'node:crypto'
import { connect } from '@redproc/shared'
import { startProcess } from './process.js'

const namespace = 'example-pipe-hello'
const [role, pipeName = ''] = process.argv.slice(2)

if (role === 'f') {
  await using mp = await connect({ namespace })
  const conn = mp.pipe(pipeName)[1]
  await conn.send(['hello'])
  await conn.close()
} else {
  await using mp = await connect({ namespace })
  // Python's Pipe() has no name; a fresh one stands for it, and goes to the
  // child the way child_conn goes to Process(args=...).
  const name = `hello-${randomUUID()}`
  const [parentConn] = mp.pipe(name)
  const p = startProcess(new URL(import.meta.url), ['f', name])
  console.log(JSON.stringify(await parentConn.recv()))
  if ((await p.exited) !== 0) throw new Error('the child process failed')
  // With both ends closed the pipe is over, and its keys leave Redis.
  await parentConn.close()
}
