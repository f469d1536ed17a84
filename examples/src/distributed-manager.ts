// The seed's distributed managers: a server side shares a list under a name
// and serves it with an authkey; a client on any machine connects with the
// key, reads the list, appends 1, and sees the change.
//
//   RemoteManager.register('get_list', callable=lambda: shared_list)   # server
//   mgr = RemoteManager(address=(host, port), authkey=authkey)         # client
//   l = mgr.get_list(); l.append(1)
//
// Here the list lives in Redis and the api service is the manager server.
//   npm run distributed-manager --workspace examples -- server   (REDIS_URL, PORT=9030)
//   npm run distributed-manager --workspace examples -- client   (or python3 python/distributed_client.py URL KEY)
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { connect, RemoteManager } from '@redproc/shared'

const namespace = 'example-distributed'
const authkey = process.env.REDPROC_AUTHKEY ?? 'secret'
const port = process.env.PORT ?? '9030'
const [role] = process.argv.slice(2)

if (role === 'client') {
  await using mgr = await RemoteManager.connect(`http://127.0.0.1:${port}`, { authkey })
  const l = mgr.list('shared_list')
  console.log(JSON.stringify(await l.toArray()))
  await l.append(1)
  console.log(JSON.stringify(await mgr.list('shared_list').toArray()))
} else if (role === 'server') {
  // shared_list = []  — registered under its name, in the namespace the api serves.
  await using mp = await connect({ namespace })
  const sharedList = mp.list('shared_list')
  await sharedList.clear()
  // server.serve_forever(): the api service is the manager server.
  const api = join(
    dirname(createRequire(import.meta.url).resolve('@redproc/api/package.json')),
    'dist',
    'main.js',
  )
  const server = spawn(
    process.execPath,
    [api, '--host', '127.0.0.1', '--port', port, '--namespace', namespace],
    {
      env: { ...process.env, REDPROC_AUTHKEY: authkey, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  await waitUntilServing(`http://127.0.0.1:${port}/healthz`)
  console.log(`serving shared_list on http://127.0.0.1:${port}`)
  // The server side sees what clients do: print the list each time it changes.
  let last = '[]'
  const watch = setInterval(async () => {
    const now = JSON.stringify(await sharedList.toArray())
    if (now !== last) console.log(`server sees ${now}`)
    last = now
  }, 100)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      clearInterval(watch)
      server.kill('SIGTERM')
    })
  }
  await new Promise((resolve) => server.once('exit', resolve))
  clearInterval(watch)
} else {
  console.error('usage: distributed-manager server | client')
  process.exitCode = 2
}

async function waitUntilServing(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the api did not come up at ${url}`)
}
