import assert from 'node:assert/strict'
import { ERROR_CODES as LIBRARY_CODES } from '@redproc/shared'
import fc from 'fast-check'
import { junkRequest } from './junk-requests.js'
import { type RawReply, type RawRequest, rawClient } from './raw-http.js'

/** A route of an OpenAPI document: a method and a path template such as `/v1/dicts/{name}/{key}`. */
export interface Route {
  method: string
  path: string
}

/** The routes of an OpenAPI document whose operations `keep` accepts. */
export function routesOf(
  document: { paths: Record<string, Record<string, { tags?: string[] }>> },
  keep: (tags: string[]) => boolean,
): Route[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => keep(operation.tags ?? []))
      .map(([method, _]) => ({ method: method.toUpperCase(), path })),
  )
}

/** What answers may say: the statuses a refusal may have, and the codes of its body. */
export const REFUSALS = new Set([
  400, 401, 404, 405, 408, 409, 410, 412, 413, 415, 417, 422, 429, 431,
])
/** The library's codes, and the two only the api answers with (a lost compare-and-set, the rate limit). */
export const ERROR_CODES = new Set<string>([
  ...LIBRARY_CODES,
  'PRECONDITION_FAILED',
  'RATE_LIMITED',
])

export interface JunkTarget {
  /** The service's base URL. */
  url: string
  routes: Route[]
  authkey: string
  /** The service's state, compared before and after every refused request. */
  state(): Promise<Map<string, string>>
  /** Empties the state every 100 requests: reading it stays cheap, and shut-down queues open again. */
  reset(): Promise<void>
}

export interface JunkReport {
  /** Requests sent, shrinking included. */
  cases: number
  /** How many answers had each status. */
  statuses: Record<number, number>
}

/**
 * Throws `runs` generated requests at the target's routes, one after the
 * other on a keep-alive connection, and checks each answer: a 2xx, or a
 * refusal in REFUSALS with an `{ error: { code, message } }` body that left
 * the state as it was. Never a 5xx, never a dropped connection, never a hang.
 */
export async function throwJunk(
  target: JunkTarget,
  options: { runs: number; seed?: number },
): Promise<JunkReport> {
  const client = rawClient(target.url)
  const report: JunkReport = { cases: 0, statuses: {} }
  let before = await target.state()
  try {
    await fc.assert(
      fc.asyncProperty(junkRequest(target.routes, target.authkey), async (request) => {
        if (report.cases % 100 === 99) {
          await target.reset()
          before = await target.state()
        }
        report.cases++
        const reply = await client.send(request)
        report.statuses[reply.status] = (report.statuses[reply.status] ?? 0) + 1
        const after = await target.state()
        const expected = before
        before = after
        checkReply(request, reply)
        if (reply.status >= 400) assert.deepEqual(after, expected, 'a refusal changed the state')
      }),
      {
        numRuns: options.runs,
        includeErrorInReport: true,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
    )
  } finally {
    client.close()
  }
  return report
}

/** A 2xx (or a 304 to a conditional read), or a documented refusal with its error body. */
export function checkReply(request: RawRequest, reply: RawReply): void {
  const shown = `${reply.status} ${reply.body.toString('utf8', 0, 300)}`
  if (reply.status >= 200 && reply.status < 300) return
  // A conditional read of what did not change, as HTTP says: If-None-Match: * matches anything.
  if (reply.status === 304 && isConditionalRead(request)) return
  assert.ok(REFUSALS.has(reply.status), `not a documented answer: ${shown}`)
  if (request.method === 'HEAD') return
  const body = JSON.parse(reply.body.toString('utf8'))
  assert.equal(typeof body?.error?.message, 'string', `no error message: ${shown}`)
  assert.ok(ERROR_CODES.has(body.error.code), `not a contract code: ${shown}`)
}

function isConditionalRead(request: RawRequest): boolean {
  const conditional = Object.keys(request.headers).some((h) => h.toLowerCase() === 'if-none-match')
  return conditional && ['GET', 'HEAD'].includes(request.method.toUpperCase())
}
