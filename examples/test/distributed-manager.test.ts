import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { connect } from '@redproc/shared'
import { runExample } from './run-example.js'

const run = promisify(execFile)
const PYTHON_DIR = new URL('../python/', import.meta.url).pathname

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

describe("distributed-manager: the seed's BaseManager program, on the api", () => {
  let server: ChildProcess
  let output = ''
  let url = ''
  const seen = async (text: string) => {
    const end = Date.now() + 20_000
    while (!output.includes(text)) {
      if (Date.now() > end) throw new Error(`the server never printed ${text}: ${output}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  before(async () => {
    process.env.PORT = String(await freePort())
    url = `http://127.0.0.1:${process.env.PORT}`
    server = spawn('npm', ['run', '--silent', 'distributed-manager', '--', 'server'], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a group of its own: npm, the example and the api it starts
    })
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    await seen('serving shared_list')
  })

  after(async () => {
    process.kill(-(server.pid as number), 'SIGTERM')
    await once(server, 'exit')
  })

  it('a RemoteManager client reads the list, appends 1, and the server side sees it', async () => {
    const client = await runExample('distributed-manager', ['client'])
    assert.equal(client.code, 0, client.stderr)
    assert.deepEqual(client.lines, ['[]', '[1]'])
    await seen('server sees [1]')
    await using mp = await connect({ namespace: 'example-distributed' })
    assert.deepEqual(await mp.list('shared_list').toArray(), [1])
  })

  it("once more from Python's standard library", async () => {
    const { stdout } = await run('python3', ['distributed_client.py', url, 'secret'], {
      cwd: PYTHON_DIR,
    })
    assert.deepEqual(stdout.trim().split('\n'), ['[1]', '[1, 1]'])
    await seen('server sees [1,1]')
  })

  it('a Python client reads and writes a dict and appends to a list; the library sees it all', async () => {
    await using mp = await connect({ namespace: 'example-distributed' })
    await mp.dict('settings').set('from_ts', { langs: ['ts'] })
    const script = `
import json
from redproc_manager import Manager, RedprocError
m = Manager(${JSON.stringify(url)}, "secret")
d = m.dict("settings")
d["from_py"] = {"n": 1}
d.update({"a": 1, "b": [True, None]})
print(json.dumps(d["from_ts"]))
l = m.list("py_list")
l.append("x")
l.extend([1, 2])
print(len(l), l[-1])
try:
    d["missing"]
except RedprocError as e:
    print(e.status, e.code)
try:
    Manager(${JSON.stringify(url)}, "wrong").dict("settings")["a"]
except RedprocError as e:
    print(e.status, e.code)
`
    const { stdout } = await run('python3', ['-c', script], { cwd: PYTHON_DIR })
    assert.deepEqual(stdout.trim().split('\n'), [
      '{"langs": ["ts"]}',
      '3 2',
      '404 KEY_ERROR',
      '401 AUTH',
    ])
    assert.deepEqual(await mp.dict('settings').toObject(), {
      from_ts: { langs: ['ts'] },
      from_py: { n: 1 },
      a: 1,
      b: [true, null],
    })
    assert.deepEqual(await mp.list('py_list').toArray(), ['x', 1, 2])
    await mp.dict('settings').clear()
    await mp.list('py_list').clear()
  })
})
