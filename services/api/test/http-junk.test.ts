// Generated junk thrown at every route of the api and of the producer,
// running as processes: the routes are those of the api's OpenAPI document,
// so a new route is thrown at as soon as it is documented.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  AUTHKEY,
  type JunkReport,
  openContext,
  type Route,
  routesOf,
  type ServiceProcess,
  snapshot,
  startApi,
  startProducer,
  throwJunk,
  uniqueNamespace,
} from '@redproc/test-support'

/** 6,000 + 4,000: the 10,000 the README promises, in about a minute on two cores. */
const API_RUNS = 6_000
const PRODUCER_RUNS = 4_000

/** Small limits, so that huge bodies and long waits are refused quickly rather than stored or awaited. */
const LIMITS = { bodyBytes: '65536', waitMs: '50' }

async function documentedRoutes(apiUrl: string): Promise<Route[][]> {
  const reply = await fetch(`${apiUrl}/openapi.json`, {
    headers: { authorization: `Bearer ${AUTHKEY}` },
  })
  const document = (await reply.json()) as Parameters<typeof routesOf>[0]
  const isProducer = (tags: string[]) => tags.includes('producer')
  return [routesOf(document, (tags) => !isProducer(tags)), routesOf(document, isProducer)]
}

async function junk(
  t: TestContext,
  service: { url: string; process: ServiceProcess },
  namespace: string,
  routes: Route[],
  runs: number,
): Promise<JunkReport> {
  const mp = await openContext(t, namespace)
  const report = await throwJunk(
    {
      url: service.url,
      routes,
      authkey: AUTHKEY,
      state: () => snapshot(mp),
      reset: async () => {
        const keys = [...(await snapshot(mp)).keys()]
        if (keys.length > 0) await mp.redis.del(...keys)
      },
    },
    // JUNK_SEED replays a failed run: its seed is in the failure's report.
    { runs, ...(process.env.JUNK_SEED ? { seed: Number(process.env.JUNK_SEED) } : {}) },
  )
  const health = await fetch(`${service.url}/healthz`)
  assert.equal(health.status, 200, 'the service still serves')
  const errors = service.process.lines.filter((line) => Number(line.level) >= 50)
  assert.deepEqual(errors, [], 'the service logged errors')
  assert.equal(service.process.stderr(), '')
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ')
  t.diagnostic(`${report.cases} requests (${routes.length} routes): ${statuses}`)
  return report
}

describe('HTTP junk: a 2xx or a documented 4xx with { error: { code, message } }, and a refusal changes nothing', () => {
  it(`the api: ${API_RUNS} generated requests`, async (t) => {
    const namespace = uniqueNamespace()
    const api = await startApi(t, {
      namespace,
      args: ['--rate-limit', '0', '--body-limit', LIMITS.bodyBytes],
    })
    const [apiRoutes] = (await documentedRoutes(api.url)) as [Route[]]
    assert.ok(apiRoutes.length >= 30, `the document lists the api's routes: ${apiRoutes.length}`)
    const report = await junk(t, api, namespace, apiRoutes, API_RUNS)
    assert.ok(report.cases >= API_RUNS)
  })

  it(`the producer: ${PRODUCER_RUNS} generated requests`, async (t) => {
    const namespace = uniqueNamespace()
    const api = await startApi(t, { namespace })
    const [, producerRoutes] = (await documentedRoutes(api.url)) as [Route[], Route[]]
    assert.ok(producerRoutes.length >= 4, 'the document lists the producer routes')
    const producer = await startProducer(t, {
      namespace,
      args: [
        '--max-batch',
        '5',
        '--max-wait-ms',
        LIMITS.waitMs,
        '--body-limit-bytes',
        LIMITS.bodyBytes,
      ],
    })
    // The probes are the producer's too.
    const routes = [
      ...producerRoutes,
      { method: 'GET', path: '/healthz' },
      { method: 'GET', path: '/readyz' },
    ]
    const report = await junk(t, producer, namespace, routes, PRODUCER_RUNS)
    assert.ok(report.cases >= PRODUCER_RUNS)
  })
})
