import fc from 'fast-check'
import type { Route } from './http-junk.js'
import type { RawRequest } from './raw-http.js'

/*
 * The requests the HTTP junk test throws: a route's method (or another), a
 * path of it with odd names, query strings, headers and bodies of every
 * kind. Most are near misses, so that the routes' checks are reached.
 */

const NAMES = ['a', 'b', 'tasks', 'q.1', 'n:2']

/** Path segments: names in use (so that reads find state), and every kind of odd one. */
const segment = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }).map(String) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent) },
  {
    weight: 2,
    // Raw bytes 0x21-0xFF: '/', '?', '#', '%', and Latin-1 that is not UTF-8 on the wire.
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x21, max: 0xff }).map((code) => String.fromCharCode(code)),
      minLength: 1,
      maxLength: 20,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%',
      '%G0',
      '%FF',
      '%C0%AF',
      '%ED%A0%80',
      '%00',
      '..',
      '.',
      '%2F',
      '%2e%2e',
      '*',
      '1e3',
      '0x10',
      '9'.repeat(30),
      '-9'.repeat(20),
      '%7B',
      '{',
      'a}',
      '__proto__',
      'constructor',
      'toString',
      '%20',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 190, max: 20_000 }).map((n) => 'n'.repeat(n)) },
)

const QUERY_NAMES = ['wait', 'timeout', 'immediate', 'cursor', 'count', 'start', 'stop', 'authkey']
const queryValue = fc.oneof(
  fc.integer({ min: -3, max: 40 }).map(String),
  fc.constantFrom('true', 'false', '', '1.5', '1e9', '99999999999999999999', 'NaN', '-0', '0x1'),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
)
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...QUERY_NAMES),
            fc.constantFrom('a[b]', 'a[]', '__proto__', 'constructor[prototype]', '', '%FF'),
          ),
          queryValue,
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?=', '?wait', '?%', '?a=%FF') },
)

/** A path from a route template, its parameters filled with segments, sometimes bent. */
function pathOf(routes: Route[]) {
  const route = fc.constantFrom(...routes)
  const filled = route.chain((r) => {
    const parameters = r.path.match(/\{[^}]+\}/g) ?? []
    return fc.tuple(
      fc.constant(r),
      fc.array(segment, { minLength: parameters.length, maxLength: parameters.length }),
    )
  })
  const bent = fc.oneof(
    { weight: 12, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('/', '/extra', '//', '/..', '%2F') },
  )
  return fc.tuple(filled, bent, query).map(([[r, values], tail, q]) => {
    let i = 0
    const path = r.path.replace(/\{[^}]+\}/g, () => values[i++] as string)
    return { route: r, path: `${path}${tail}${q}` }
  })
}

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'PROPFIND',
  'PURGE',
  'SEARCH',
  'LOCK',
  'TRACE',
  'CONNECT',
  'FOO',
  'get',
  'Post',
]

/** Token characters only: what an HTTP client can put in a header's name. */
const headerName = fc.oneof(
  fc.constantFrom(
    'if-match',
    'if-none-match',
    'idempotency-key',
    'last-event-id',
    'x-request-id',
    'cookie',
    'origin',
    'accept',
    'accept-encoding',
    'range',
    'expect',
    'x-forwarded-for',
    'content-language',
    'authorization',
    'host',
  ),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,30}$/),
)
/** Visible ASCII, spaces and Latin-1: what a header's value may carry on the wire. */
const headerValue = fc.oneof(
  { weight: 16, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 60 }) },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
      maxLength: 20,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '*',
      '"x"',
      `"${'0'.repeat(40)}"`,
      'W/"1"',
      '100-continue',
      '-1',
      '',
    ),
  },
  // Over the server's header limit (16 KiB) at times, alone or with the others.
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'v'.repeat(n)) },
)

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'application/merge-patch+json',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  ';;;',
  'application/json; charset="',
  '*/*',
  '',
]
const CONTENT_ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, gzip', 'x']

function authorization(authkey: string) {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${authkey}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'Bearer',
        'Bearer ',
        `bearer ${authkey}`,
        `Bearer  ${authkey}`,
        `Bearer ${authkey} `,
        `Bearer ${authkey}x`,
        `Bearer ${authkey.slice(0, -1)}`,
        `Basic ${Buffer.from(`user:${authkey}`).toString('base64')}`,
        `Token ${authkey}`,
        authkey,
        `Bearer ${'k'.repeat(10_000)}`,
      ),
    },
    { weight: 1, arbitrary: fc.constant<string[]>([`Bearer ${authkey}`, `Bearer ${authkey}`]) },
  )
}

/** Field names the routes read, for bodies that look almost right. */
const FIELDS = [
  'value',
  'key',
  'default',
  'append',
  'extend',
  'index',
  'add',
  'initial',
  'task',
  'args',
  'opts',
  'jobs',
  'authkey',
]
const OPTS = [
  'jobId',
  'attempts',
  'backoff',
  'delay',
  'removeOnComplete',
  'removeOnFail',
  'priority',
]

const anyJson = fc.jsonValue({ maxDepth: 4 })
const fieldValue = fc.oneof(
  { weight: 4, arbitrary: anyJson },
  { weight: 2, arbitrary: fc.constantFrom('double', 'io', 'fail', 'nope', ...NAMES) },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(fc.integer(), fc.constantFrom(0, 1, 5)), { maxLength: 3 }),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...OPTS), anyJson, { maxKeys: 3 }) },
)
const shaped = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 4 })
const job = fc.record(
  {
    task: fc.constantFrom('double', 'io', 'nope'),
    args: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }),
    opts: fc.oneof(
      fc.constant({}),
      fc.record({ jobId: fc.constantFrom(...NAMES), attempts: fc.integer({ min: 0, max: 3 }) }),
      fc.dictionary(fc.constantFrom(...OPTS), anyJson, { maxKeys: 2 }),
    ),
  },
  { requiredKeys: ['task', 'args'] },
)

const text = (json: string) => Buffer.from(json, 'utf8')
const nested = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`

/** Bodies: none, JSON of any shape, near-misses, deep, huge, not UTF-8, not JSON. */
const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: anyJson.map((value) => text(JSON.stringify(value))) },
  { weight: 5, arbitrary: shaped.map((value) => text(JSON.stringify(value))) },
  {
    weight: 2,
    arbitrary: fc.record({ value: anyJson }).map((value) => text(JSON.stringify(value))),
  },
  { weight: 3, arbitrary: job.map((value) => text(JSON.stringify(value))) },
  {
    weight: 1,
    arbitrary: fc.array(job, { maxLength: 5 }).map((jobs) => text(JSON.stringify({ jobs }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 30, max: 30_000 }), fc.constantFrom('value', 'args', 'jobs'))
      .map(([depth, field]) =>
        text(
          field === 'args'
            ? `{"task":"double","args":[${nested(depth, '[', ']')}]}`
            : `{"${field}":${nested(depth, '{"a":', '}')}}`,
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 300_000 }), fc.constantFrom(...FIELDS))
      .map(([size, field]) => text(JSON.stringify({ [field]: 'x'.repeat(size) }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...FIELDS), fc.uint8Array({ minLength: 1, maxLength: 40 }))
      .map(([field, bytes]) =>
        Buffer.concat([text(`{"${field}":"`), Buffer.from(bytes), text('"}')]),
      ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '{"__proto__":{"value":1}}',
        '{"value":1,"value":2}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"value":1e400}',
        '{"add":1e308,"initial":1e308}',
        '{"add":-0}',
        '{"index":1e20,"value":1}',
        '{"index":-1e20}',
        '{"key":""}',
        '{"value":"\\ud800"}',
        '{"value":"\\u0000"}',
        '{"append":null}',
        '{"extend":[]}',
        '{"jobs":[]}',
        '{"jobs":{}}',
        '{"task":"double","args":[1],"opts":{"jobId":"1"}}',
        '{"task":"double","opts":{"jobId":"a:b"}}',
        '{"task":"double","opts":{"delay":-1}}',
        '{"task":"double","opts":{"attempts":1e9}}',
        '{"task":"double","opts":{"removeOnComplete":{"age":-1}}}',
        '[',
        '',
        'null',
        '""',
        'true',
        '0',
        '\ufeff{}',
        '{"value":1}\u0000',
        'a=1&b=2',
      )
      .map(text),
  },
)

/** `arbitrary`'s value once in `n` requests, else null. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary })
}

/** A body of any kind, or, one time in three, one shaped for the route: jobs for the producer's. */
function bodyFor(route: Route): fc.Arbitrary<Buffer | undefined> {
  if (!route.path.endsWith('/jobs')) return body
  const jobs = fc.oneof(job, fc.record({ jobs: fc.array(job, { maxLength: 5 }) }))
  return fc.oneof(
    { weight: 2, arbitrary: body },
    { weight: 1, arbitrary: jobs.map((value) => text(JSON.stringify(value))) },
  )
}

/** One request: a route's method (or another), a path of it, headers, a body. */
export function junkRequest(routes: Route[], authkey: string): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      target: pathOf(routes),
      otherMethod: sometimes(fc.constantFrom(...METHODS), 6),
      authorization: authorization(authkey),
      contentType: sometimes(fc.constantFrom(...CONTENT_TYPES), 4),
      contentEncoding: sometimes(fc.constantFrom(...CONTENT_ENCODINGS), 12),
      extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
      repeated: sometimes(
        fc.tuple(headerName, fc.array(headerValue, { minLength: 2, maxLength: 3 })),
        8,
      ),
      host: sometimes(fc.constantFrom<string[]>([], ['a', 'b'], [''], ['x'.repeat(300)]), 20),
      upgrade: sometimes(fc.constantFrom('websocket', 'h2c', 'x'), 20),
    })
    .chain((r) => fc.record({ body: bodyFor(r.target.route) }).map(({ body }) => ({ ...r, body })))
    .map((r) => {
      const headers: Record<string, string | string[]> = {}
      if (r.host !== null) headers.host = r.host
      if (r.upgrade !== null) Object.assign(headers, { connection: 'upgrade', upgrade: r.upgrade })
      for (const [name, value] of r.extra) headers[name] = value
      if (r.repeated) headers[r.repeated[0]] = r.repeated[1]
      if (r.authorization !== undefined) headers.authorization = r.authorization
      if (r.body !== undefined) headers['content-type'] = r.contentType ?? 'application/json'
      if (r.contentEncoding !== null) headers['content-encoding'] = r.contentEncoding
      const request: RawRequest = {
        method: r.otherMethod ?? r.target.route.method,
        path: r.target.path,
        headers,
        ...(r.body === undefined ? {} : { body: r.body }),
      }
      return Object.assign(request, { [fc.toStringMethod]: () => shown(request) })
    })
}

/** A request as a failure report shows it: long texts cut, so that the report stays readable. */
function shown(request: RawRequest): string {
  const cut = (text: string) =>
    text.length > 120 ? `${text.slice(0, 120)}… (${text.length} characters)` : text
  const headers = Object.entries(request.headers).map(([name, value]) =>
    Array.isArray(value) ? `${name}: [${value.map(cut).join(' | ')}]` : `${name}: ${cut(value)}`,
  )
  const body = request.body === undefined ? '(none)' : cut(request.body.toString('latin1'))
  return `${request.method} ${cut(request.path)}\n  ${headers.join('\n  ')}\n  body: ${JSON.stringify(body)}`
}
