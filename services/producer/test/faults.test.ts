// The services under faults, as processes on a Redis of the test's own:
// jobs go in over HTTP while a consumer is SIGKILLed every few seconds and
// Redis itself is killed and restarted from its append-only file. Every job
// answered with a 2xx must end completed, and the probes must say when
// Redis is away.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type CallJob, connect } from '@redproc/shared'
import {
  AUTHKEY,
  type ServiceProcess,
  startApi,
  startProcess,
  startProducer,
  startRedisServer,
  uniqueNamespace,
} from '@redproc/test-support'

const SUBMIT_MS = 24_000
const KILL_EVERY_MS = 2_500
/** When Redis goes away, how, and for how long. */
const OUTAGES = [
  { atMs: 6_000, signal: 'SIGKILL', downMs: 3_000 },
  { atMs: 15_000, signal: 'SIGTERM', downMs: 3_000 },
] as const
const BATCH = 10

/** A task that writes its token to a file each time it runs: runs are counted outside Redis. */
function writeTasksModule(t: TestContext): { module: string; runs: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'redproc-faults-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const runsFile = join(dir, 'runs.txt')
  writeFileSync(runsFile, '')
  const module = join(dir, 'tasks.mjs')
  writeFileSync(
    module,
    `import { appendFileSync } from 'node:fs'
export async function record(token, ms) {
  await new Promise((resolve) => setTimeout(resolve, ms))
  appendFileSync(${JSON.stringify(runsFile)}, token + '\\n')
  return token
}
`,
  )
  return { module, runs: () => readFileSync(runsFile, 'utf8').split('\n').filter(Boolean) }
}

/** The producer's answer to a batch. */
interface Batch {
  ids: string[]
}

interface Probe {
  at: number
  service: string
  status: number | 'no answer'
}

describe('the services under faults', () => {
  it('lose no job answered with a 2xx while consumers are SIGKILLed and Redis restarts', async (t) => {
    const namespace = uniqueNamespace()
    const redis = await startRedisServer(t)
    const env = { REDIS_URL: redis.url }
    const tasks = writeTasksModule(t)
    const [api, producer] = await Promise.all([
      startApi(t, { namespace, env }),
      startProducer(t, { namespace, env }),
    ])

    // Consumers, each replaced by a new one when it is killed; a short lease brings their jobs back soon.
    const consumerArgs = [
      ...['services/consumer', '--tasks', tasks.module, '--concurrency', '4'],
      ...['--lease-ms', '2000', '--heartbeat-ms', '250', '--connect-timeout-ms', '60000'],
    ]
    const consumers: ServiceProcess[] = []
    const crashes: string[] = []
    const killed = new Set<ServiceProcess>()
    const startConsumer = () => {
      const consumer = startProcess(t, consumerArgs, {
        REDIS_URL: redis.url,
        REDPROC_NAMESPACE: namespace,
      })
      consumers.push(consumer)
      consumer.exited.then((how) => {
        if (!killed.has(consumer) && how !== 0) crashes.push(`${how}: ${consumer.stderr()}`)
      })
    }
    for (let i = 0; i < 3; i++) startConsumer()

    const started = Date.now()
    const elapsed = () => Date.now() - started
    let submitting = true

    // Readiness, every 100 ms, of both HTTP services.
    const probes: Probe[] = []
    const probing = (async () => {
      while (submitting) {
        await Promise.all(
          [
            ['api', api.url],
            ['producer', producer.url],
          ].map(async ([service, url]) => {
            const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) })
              .then((reply) => reply.status)
              .catch(() => 'no answer' as const)
            probes.push({ at: elapsed(), service: service as string, status })
          }),
        )
        await sleep(100)
      }
    })()

    // A consumer SIGKILLed every few seconds, and a new one started in its place.
    let kills = 0
    const killing = (async () => {
      while (submitting) {
        await sleep(KILL_EVERY_MS)
        const victim = consumers.find((c) => !killed.has(c) && c.child.exitCode === null)
        if (!victim || !submitting) continue
        killed.add(victim)
        victim.signal('SIGKILL')
        kills++
        startConsumer()
      }
    })()

    // Redis killed, or shut down, and started again from its AOF.
    const outages: Array<{ downAt: number; upAt: number; signal: string }> = []
    const breaking = (async () => {
      for (const outage of OUTAGES) {
        await sleep(Math.max(0, outage.atMs - elapsed()))
        const downAt = elapsed()
        await redis.stop(outage.signal)
        await sleep(outage.downMs)
        await redis.start()
        outages.push({ downAt, upAt: elapsed(), signal: outage.signal })
      }
    })()

    // Jobs in batches over HTTP; only those answered with a 2xx count as accepted.
    const accepted = new Map<string, string>()
    const refused = new Map<string, number>()
    let batches = 0
    while (elapsed() < SUBMIT_MS) {
      const tokens = Array.from({ length: BATCH }, (_, i) => `b${batches}-${i}`)
      batches++
      const jobs = tokens.map((token) => ({ task: 'record', args: [token, 5] }))
      const answer = await fetch(`${producer.url}/v1/queues/tasks/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${AUTHKEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jobs }),
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (reply) => ({ status: reply.status, body: (await reply.json()) as Batch }))
        .catch((error: Error) => ({ status: error.name, body: undefined }))
      if (typeof answer.status === 'number' && answer.status < 300 && answer.body) {
        for (const [i, id] of answer.body.ids.entries()) accepted.set(id, tokens[i] as string)
      } else {
        const key = String(answer.status)
        refused.set(key, (refused.get(key) ?? 0) + 1)
      }
      await sleep(30)
    }
    submitting = false
    await Promise.all([probing, killing, breaking])

    // Every accepted job done: join over HTTP, then each job read back from Redis.
    const joined = await fetch(`${producer.url}/v1/queues/tasks/join?timeout=120000`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AUTHKEY}` },
    })
    assert.equal(joined.status, 200, `join: ${await joined.text()}`)
    const mp = await connect({ redis: redis.url, namespace })
    t.after(() => mp.close())
    const queue = mp.joinableQueue<CallJob>('tasks')
    let lost = 0
    let finishedTwice = 0
    let redelivered = 0
    for (const [id, token] of accepted) {
      const job = await queue.getJob(id)
      if (job?.state !== 'completed' || job.result !== token) lost++
      if ((job?.attemptsMade ?? 0) > 1) finishedTwice++
      if ((job?.attemptsStarted ?? 0) > 1) redelivered++
    }
    const counts = await queue.counts()
    await queue.close()
    const runs = new Map<string, number>()
    for (const token of tasks.runs()) runs.set(token, (runs.get(token) ?? 0) + 1)
    const acceptedTokens = new Set(accepted.values())
    const ranTwice = [...runs].filter(([token, n]) => acceptedTokens.has(token) && n > 1).length

    // What the probes saw: 503 while Redis was away, 200 again after, always an answer.
    const seen = outages.map((outage, i) => {
      const next = outages[i + 1]?.downAt ?? Number.POSITIVE_INFINITY
      return Object.fromEntries(
        ['api', 'producer'].map((service) => {
          const own = probes.filter((p) => p.service === service)
          const firstDown = own.find((p) => p.at >= outage.downAt && p.status === 503)
          const backUp = own.find((p) => p.at >= outage.upAt && p.at < next && p.status === 200)
          return [
            service,
            {
              notReadyAfterMs: firstDown ? firstDown.at - outage.downAt : null,
              readyAgainAfterMs: backUp ? backUp.at - outage.upAt : null,
            },
          ]
        }),
      )
    })
    const figures = {
      submitted: batches * BATCH,
      accepted: accepted.size,
      refusedBatches: Object.fromEntries(refused),
      lost,
      finishedTwice,
      redelivered,
      ranTwice,
      completed: counts.completed,
      consumersKilled: kills,
      redisRestarts: outages.map((o) => `${o.signal}, down ${o.upAt - o.downAt} ms`),
      readiness: seen,
    }
    t.diagnostic(JSON.stringify(figures))

    assert.equal(lost, 0, 'a job answered with a 2xx was lost')
    assert.equal(finishedTwice, 0, 'a job was counted done twice')
    assert.equal(counts.unfinished, 0)
    assert.ok(accepted.size >= 1000, `only ${accepted.size} jobs accepted`)
    assert.ok(kills >= 5, `only ${kills} consumers killed`)
    assert.deepEqual(crashes, [], 'a consumer died by itself')
    assert.deepEqual(
      probes.filter((p) => p.status === 'no answer'),
      [],
      'a probe got no answer within 3 s',
    )
    for (const [i, outage] of seen.entries()) {
      for (const [service, { notReadyAfterMs, readyAgainAfterMs }] of Object.entries(outage)) {
        assert.ok(notReadyAfterMs !== null, `${service} never said 503 during outage ${i + 1}`)
        assert.ok(readyAgainAfterMs !== null, `${service} not ready again after outage ${i + 1}`)
      }
    }
    // The api serves again by itself: a write through it goes to the restarted Redis.
    const write = await fetch(`${api.url}/v1/values/after-the-faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${AUTHKEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: kills }),
    })
    assert.equal(write.status, 204)
    assert.equal(await mp.value('after-the-faults').get(), kills)
    for (const service of [api.process, producer.process, ...consumers]) service.signal('SIGTERM')
  })
})
