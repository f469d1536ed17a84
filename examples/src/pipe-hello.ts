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
import { type Context, connect, currentProcess } from '@redproc/shared'

const namespace = 'example-pipe-hello'

/** The child's task: `mp` is its own context, then the args its parent gave. */
export async function f(mp: Context, pipeName: string): Promise<void> {
  const conn = mp.pipe(pipeName)[1]
  await conn.send(['hello'])
  await conn.close()
}

// Python's `if __name__ == '__main__':` — the child imports this module for `f`.
if (currentProcess().name === 'MainProcess') {
  await using mp = await connect({ namespace })
  // Python's Pipe() has no name; a fresh one stands for it, and goes to the
  // child the way child_conn goes to Process(args=...).
  const name = `hello-${randomUUID()}`
  const [parentConn] = mp.pipe(name)
  const p = mp.process({ target: 'f', args: [name], tasks: new URL(import.meta.url) })
  p.start()
  console.log(JSON.stringify(await parentConn.recv()))
  await p.join()
  if (p.exitCode !== 0) throw new Error('the child process failed')
  // With both ends closed the pipe is over, and its keys leave Redis.
  await parentConn.close()
}
