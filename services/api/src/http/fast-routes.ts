import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import {
  bearerToken,
  checkJsonDepth,
  errorReply,
  type Logger,
  logRequests,
  secretCheck,
  validate,
} from '@redproc/service-kit'
import type { Context, Json } from '@redproc/shared'
import type { Metrics } from '../monitoring/metrics.js'
import { readKey, writeKey } from '../shared-state/dicts.js'
import { readValue, writeValue } from '../shared-state/values.js'
import type { RateLimit } from './rate-limit.js'
import { valueBody } from './schemas.js'
import { setSecurityHeaders } from './security-headers.js'

export interface FastRoutesDeps {
  mp: Context
  authkey: string | undefined
  bodyLimitBytes: number
  /** The api's own limiter: a request counts once, whichever way it is served. */
  rateLimit: RateLimit | undefined
  metrics: Metrics
  logger: Logger
}

/** A request the fast routes take: which object, and the route it is counted under. */
type Target =
  | { kind: 'dict'; name: string; key: string; route: '/v1/dicts/:name/:key' }
  | { kind: 'value'; name: string; route: '/v1/values/:name' }

const DICT_KEY = /^\/v1\/dicts\/([^/?#]+)\/([^/?#]+)$/
const VALUE = /^\/v1\/values\/([^/?#]+)$/
const JSON_TYPE = /^application\/json(?:\s*;\s*charset=utf-8)?$/i

/**
 * The api's hottest requests — GET and PUT of a dict's key and of a value —
 * answered without express, which costs several times the work of the
 * request itself. Only the plain form of each is taken: the key in a Bearer
 * header, a JSON body with a length, no query, no CORS origin, no
 * precondition. Everything else, a wrong key included, goes on to `app`,
 * which answers it as it answers every request. What the fast routes send is
 * what the app would: the same headers, bodies, request log and metrics, and
 * the same count against the rate limit.
 */
export function withFastRoutes(app: RequestListener, deps: FastRoutesDeps): RequestListener {
  const logRequest = logRequests(deps.logger.child({ component: 'http' }))
  const errorLogger = deps.logger.child({ component: 'errors' })
  const isAuthkey = deps.authkey === undefined ? undefined : secretCheck(deps.authkey)
  return (req, res) => {
    const target = fastTarget(req, deps.bodyLimitBytes, isAuthkey)
    if (!target) {
      app(req, res)
      return
    }
    logRequest(req, res)
    setSecurityHeaders(res)
    deps.metrics.observeRoute(req, res, target.route)
    if (deps.rateLimit && !deps.rateLimit.admit(req, res)) {
      sendJson(res, 429, { error: { code: 'RATE_LIMITED', message: deps.rateLimit.refusal } })
      return
    }
    answer(req, res, target, deps.mp).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      const { status, body } = errorReply(error, req, errorLogger)
      sendJson(res, status, body)
    })
  }
}

/** Reads or writes the target and answers, as the express route would. */
async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  mp: Context,
): Promise<void> {
  // The object's name is checked before the body, as on the express routes.
  if (req.method === 'GET') {
    const found =
      target.kind === 'dict'
        ? await readKey(mp.dict(target.name), target.key)
        : await readValue(mp.value(target.name))
    res.setHeader('etag', `"${found.etag}"`)
    sendJson(res, 200, { value: found.value })
    return
  }
  const etag =
    target.kind === 'dict'
      ? await writeKey(mp.dict(target.name), target.key, await bodyValue(req))
      : await writeValue(mp.value(target.name), await bodyValue(req))
  res.setHeader('etag', `"${etag}"`)
  res.writeHead(204)
  res.end()
}

/** The `value` of a `{ value }` body, checked as the express routes check it. */
async function bodyValue(req: IncomingMessage): Promise<Json> {
  const body = await readJsonBody(req)
  checkJsonDepth(body)
  return validate(valueBody, body, 'body').value
}

/** The target of a request in the plain form the fast routes take, else undefined. */
function fastTarget(
  req: IncomingMessage,
  bodyLimitBytes: number,
  isAuthkey: ((given: string) => boolean) | undefined,
): Target | undefined {
  const target = targetOf(req.url ?? '')
  if (!target) return undefined
  const { headers, method } = req
  if (method !== 'GET' && method !== 'PUT') return undefined
  if (headers.origin !== undefined) return undefined
  if (headers['if-match'] !== undefined || headers['if-none-match'] !== undefined) return undefined
  if (method === 'GET' ? hasBody(req) : !plainJsonBody(req, bodyLimitBytes)) return undefined
  if (isAuthkey) {
    const token = bearerToken(headers.authorization)
    if (token === undefined || !isAuthkey(token)) return undefined
  }
  return target
}

function targetOf(url: string): Target | undefined {
  const dict = DICT_KEY.exec(url)
  if (dict) {
    const name = decoded(dict[1] as string)
    const key = decoded(dict[2] as string)
    if (name === undefined || key === undefined) return undefined
    return { kind: 'dict', name, key, route: '/v1/dicts/:name/:key' }
  }
  const value = VALUE.exec(url)
  const name = value ? decoded(value[1] as string) : undefined
  return name === undefined ? undefined : { kind: 'value', name, route: '/v1/values/:name' }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/** A JSON body, neither compressed nor chunked, with a length within the limit. */
function plainJsonBody(req: IncomingMessage, limit: number): boolean {
  const { headers } = req
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) {
    return false
  }
  const type = headers['content-type']
  const length = Number(headers['content-length'] ?? Number.NaN)
  return type !== undefined && JSON_TYPE.test(type) && length >= 0 && length <= limit
}

/** A path segment as the express router decodes it; undefined where it cannot. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/**
 * The body parsed as express's JSON parser does: an empty body is `{}`, a
 * byte order mark is dropped, and only an object or array is JSON here.
 */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  let text = Buffer.concat(chunks).toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (text.length === 0) return {}
  const first = text.trimStart()[0]
  if (first !== '{' && first !== '[') throw notJson(strictViolation(text, first))
  try {
    return JSON.parse(text) as Json
  } catch (error) {
    throw notJson((error as Error).message)
  }
}

/**
 * The message of express's parser for a body that is JSON but not an object
 * or array: JSON.parse's own, for the text from its first character on made
 * invalid (`#`), with the text put back in where the message quotes it.
 */
function strictViolation(text: string, first: string | undefined): string {
  const index = first === undefined ? -1 : text.indexOf(first)
  const partial = index === -1 ? '' : text.slice(0, index) + '#'.repeat(text.length - index)
  try {
    JSON.parse(partial)
    return 'strict violation'
  } catch (error) {
    return (error as Error).message.replace(/#+/g, (run) =>
      text.substring(index, index + run.length),
    )
  }
}

/** The error express's JSON parser raises: the service kit answers it 400 VALUE_ERROR. */
function notJson(message: string): Error {
  return Object.assign(new SyntaxError(message), { type: 'entity.parse.failed', status: 400 })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}
