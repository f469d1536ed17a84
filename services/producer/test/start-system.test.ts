import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openContext, redisUrl, startProcess, uniqueNamespace } from '@redproc/test-support'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm start', () => {
  it('starts the api, a producer and two consumers, runs the demo, and Ctrl-C stops exactly those', async (t) => {
    const namespace = uniqueNamespace()
    await openContext(t, namespace)
    const system = startProcess(t, ['scripts/start-system.mjs'], {
      REDIS_URL: redisUrl(),
      REDPROC_NAMESPACE: namespace,
      REDPROC_AUTHKEY: undefined,
      PRODUCER_PORT: '0',
      API_PORT: '0',
    })
    const banner = await system.line((l) => /authkey\s+\S{32}/.test(String(l.msg)), 'the authkey')
    assert.match(String(banner.msg), /\(generated/)
    const demo = await system.line((l) => String(l.msg).startsWith('demo:'), 'the demo', 60_000)
    assert.match(String(demo.msg), /19 jobs done .* double\(15\) = 30; .* failed after 2 attempts/)
    const pids = system.lines
      .map((l) => /started \(pid (\d+)\)/.exec(String(l.msg))?.[1])
      .filter((pid): pid is string => pid !== undefined)
    system.signal('SIGINT')
    assert.equal(await system.exited, 0)
    const started = [...new Set(pids)].map(Number)
    assert.equal(started.length, 4, `the api, a producer and two consumers: ${started}`)
    for (const pid of started) assert.ok(!alive(pid), `process ${pid} outlived npm start`)
  })
})
