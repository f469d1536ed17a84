import { API_VERSION } from '../version.js'

/** An OpenAPI operation, in the few shapes these routes have. */
interface Operation {
  summary: string
  tags: string[]
  parameters?: unknown[]
  requestBody?: unknown
  responses: Record<string, unknown>
  security?: unknown[]
}

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } })
const anyJson = {}
const errorBody = {
  description: 'An error: `{ error: { code, message } }` with a code of the contract',
  ...json({ $ref: '#/components/schemas/Error' }),
}
const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
})
const name = pathParam(
  'name',
  'The object name: 1-200 of A-Z a-z 0-9 . _ : -, not starting with a punctuation mark',
)

function op(
  tag: string,
  summary: string,
  ok: Record<string, unknown>,
  extra: Partial<Operation> = {},
): Operation {
  return {
    summary,
    tags: [tag],
    responses: { ...ok, '400': errorBody, '401': errorBody, '404': errorBody, '422': errorBody },
    ...extra,
  }
}

const value = {
  description: 'The value',
  ...json({ type: 'object', properties: { value: anyJson } }),
}
const noContent = { '204': { description: 'Done' } }
const body = (schema: unknown) => ({ required: true, ...json(schema) })
const valueBody = body({ type: 'object', required: ['value'], properties: { value: anyJson } })
const conditional = [
  {
    name: 'If-Match',
    in: 'header',
    schema: { type: 'string' },
    description: 'An ETag read before, or *: write only if unchanged (412 otherwise)',
  },
  {
    name: 'If-None-Match',
    in: 'header',
    schema: { type: 'string', enum: ['*'] },
    description: 'Create only',
  },
]
const precondition = { '412': errorBody }

/** The OpenAPI document of the api and of the producer: `/openapi.json`. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {
    '/v1': {
      get: op('manager', 'The server and the namespace it serves', {
        '200': { description: 'Server info' },
      }),
    },
    '/v1/call': {
      post: op(
        'manager',
        'Method calls on named shared objects, up to 1000 per request, run together and answered each on its own (the manager protocol RemoteManager speaks)',
        {
          '200': {
            description:
              '{ results: [{ value } | { error: { code, message } }] }, in the order of the calls',
            ...json({
              type: 'object',
              properties: { results: { type: 'array', items: { type: 'object' } } },
            }),
          },
        },
        {
          requestBody: body({
            type: 'object',
            required: ['calls'],
            properties: {
              calls: {
                type: 'array',
                minItems: 1,
                maxItems: 1000,
                items: {
                  type: 'object',
                  required: ['kind', 'name', 'method'],
                  properties: {
                    kind: { enum: ['dict', 'list', 'namespace', 'value'] },
                    name: { type: 'string' },
                    method: {
                      type: 'string',
                      description: 'A method the kind exposes: get, set, …',
                    },
                    args: { type: 'array', maxItems: 4, items: anyJson },
                    initial: { ...anyJson, description: "A value's initial value" },
                  },
                },
              },
            },
          }),
        },
      ),
    },
    '/v1/objects': {
      get: op(
        'manager',
        'The shared dicts, lists, namespaces, values and arrays that hold something',
        {
          '200': { description: '{ objects: [{ kind, name }] }' },
        },
      ),
    },
    '/v1/session': {
      post: op(
        'dashboard',
        'Logs the dashboard in: sets a signed HttpOnly SameSite=Strict cookie',
        noContent,
        {
          requestBody: body({
            type: 'object',
            required: ['authkey'],
            properties: { authkey: { type: 'string' } },
          }),
          security: [],
        },
      ),
      delete: op('dashboard', 'Logs out', noContent, { security: [] }),
    },
    '/v1/dicts/{name}': {
      get: op(
        'dicts',
        'A page of pairs (follow cursor until null) and the size',
        { '200': { description: '{ items, cursor, size }' } },
        {
          parameters: [
            name,
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            { name: 'count', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 10000 } },
          ],
        },
      ),
      patch: op('dicts', 'd.update({...}): many keys in one write', noContent, {
        parameters: [name],
        requestBody: body({ type: 'object' }),
      }),
      delete: op('dicts', 'd.clear()', noContent, { parameters: [name] }),
    },
    '/v1/dicts/{name}/pop': {
      post: op(
        'dicts',
        'd.pop(key)',
        { '200': value },
        {
          parameters: [name],
          requestBody: body({ type: 'object', properties: { key: { type: 'string' } } }),
        },
      ),
    },
    '/v1/dicts/{name}/setdefault': {
      post: op(
        'dicts',
        'd.setdefault(key, default)',
        { '200': value },
        {
          parameters: [name],
          requestBody: body({
            type: 'object',
            properties: { key: { type: 'string' }, default: anyJson },
          }),
        },
      ),
    },
    '/v1/dicts/{name}/{key}': {
      get: op(
        'dicts',
        'd[key], with its ETag',
        { '200': value },
        { parameters: [name, pathParam('key', 'The key')] },
      ),
      put: op(
        'dicts',
        'd[key] = value; conditional with If-Match',
        { ...noContent, ...precondition },
        {
          parameters: [name, pathParam('key', 'The key'), ...conditional],
          requestBody: valueBody,
        },
      ),
      delete: op(
        'dicts',
        'del d[key]',
        { '200': { description: '{ deleted }' }, ...noContent, ...precondition },
        {
          parameters: [name, pathParam('key', 'The key'), ...conditional],
        },
      ),
    },
    '/v1/lists/{name}': {
      get: op(
        'lists',
        'l[start:stop] and len(l)',
        { '200': { description: '{ items, length }' } },
        {
          parameters: [
            name,
            { name: 'start', in: 'query', schema: { type: 'integer' } },
            { name: 'stop', in: 'query', schema: { type: 'integer' } },
          ],
        },
      ),
      post: op('lists', '{ append: item } or { extend: [items] }', noContent, {
        parameters: [name],
        requestBody: body({ type: 'object' }),
      }),
      delete: op('lists', 'l.clear()', noContent, { parameters: [name] }),
    },
    '/v1/lists/{name}/pop': {
      post: op('lists', 'l.pop(index = -1)', { '200': value }, { parameters: [name] }),
    },
    '/v1/lists/{name}/insert': {
      post: op('lists', 'l.insert(index, value)', noContent, {
        parameters: [name],
        requestBody: body({ type: 'object' }),
      }),
    },
    '/v1/lists/{name}/remove': {
      post: op('lists', 'l.remove(value)', noContent, {
        parameters: [name],
        requestBody: valueBody,
      }),
    },
    '/v1/lists/{name}/index': {
      post: op(
        'lists',
        'l.index(value)',
        { '200': { description: '{ index }' } },
        { parameters: [name], requestBody: valueBody },
      ),
    },
    '/v1/lists/{name}/count': {
      post: op(
        'lists',
        'l.count(value)',
        { '200': { description: '{ count }' } },
        { parameters: [name], requestBody: valueBody },
      ),
    },
    '/v1/lists/{name}/{index}': {
      get: op(
        'lists',
        'l[index]',
        { '200': value },
        { parameters: [name, pathParam('index', 'An integer; negative counts from the end')] },
      ),
      put: op('lists', 'l[index] = value', noContent, {
        parameters: [name, pathParam('index', 'An integer')],
        requestBody: valueBody,
      }),
    },
    '/v1/namespaces/{name}': {
      get: op(
        'namespaces',
        'vars(ns)',
        { '200': { description: '{ attributes }' } },
        { parameters: [name] },
      ),
    },
    '/v1/namespaces/{name}/{attr}': {
      get: op(
        'namespaces',
        'ns.attr',
        { '200': value },
        { parameters: [name, pathParam('attr', 'The attribute')] },
      ),
      put: op('namespaces', 'ns.attr = value', noContent, {
        parameters: [name, pathParam('attr', 'The attribute')],
        requestBody: valueBody,
      }),
      delete: op(
        'namespaces',
        'del ns.attr',
        { '200': { description: '{ deleted }' } },
        { parameters: [name, pathParam('attr', 'The attribute')] },
      ),
    },
    '/v1/values/{name}': {
      get: op('values', 'The value, with its ETag', { '200': value }, { parameters: [name] }),
      put: op(
        'values',
        'Sets it; conditional with If-Match / If-None-Match',
        { ...noContent, ...precondition },
        {
          parameters: [name, ...conditional],
          requestBody: valueBody,
        },
      ),
      post: op(
        'values',
        '{ add, initial? }: atomic add, returns the new value',
        { '200': value },
        { parameters: [name], requestBody: body({ type: 'object' }) },
      ),
    },
    '/v1/queues': {
      get: op('monitoring', 'Every joinable queue: counts, unfinished, rates', {
        '200': { description: '{ queues }' },
      }),
    },
    '/v1/queues/{name}': {
      get: op(
        'monitoring',
        'One queue',
        { '200': { description: 'The queue' } },
        { parameters: [name] },
      ),
    },
    '/v1/workers': {
      get: op('monitoring', 'Serving processes, live and recently dead', {
        '200': { description: '{ workers }' },
      }),
    },
    '/v1/sync': {
      get: op(
        'monitoring',
        'Locks, semaphores, barriers, events, conditions with holders and waiters',
        { '200': { description: '{ objects }' } },
      ),
    },
    '/v1/events': {
      get: op(
        'monitoring',
        'Server-sent events; resumes after Last-Event-ID',
        { '200': { description: 'text/event-stream' } },
        {
          parameters: [{ name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } }],
        },
      ),
    },
    '/metrics': {
      get: op('operations', 'Prometheus metrics', { '200': { description: 'text/plain' } }),
    },
    '/openapi.json': {
      get: op('operations', 'This document', { '200': { description: 'OpenAPI 3.1' } }),
    },
    '/healthz': {
      get: op(
        'operations',
        'The process is alive (no key)',
        { '200': { description: 'ok' } },
        { security: [] },
      ),
    },
    '/readyz': {
      get: op(
        'operations',
        'Redis answers (no key)',
        { '200': { description: 'ready' }, '503': errorBody },
        { security: [] },
      ),
    },
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'redproc',
      version: API_VERSION,
      description:
        "Python's multiprocessing manager over HTTP. The api service serves every path here but those tagged 'producer', which the producer service (port 3001) serves.",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'REDPROC_AUTHKEY' },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
    paths: { ...paths, ...PRODUCER_PATHS },
  }
}

/** The producer's routes, as the contract names them. */
const PRODUCER_PATHS: Record<string, Record<string, Operation>> = {
  '/v1/queues/{name}/jobs': {
    post: op(
      'producer',
      'Submits one job { task, args, opts } or a batch { jobs }',
      { '201': { description: '{ ids }' } },
      {
        parameters: [name, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
        requestBody: body({ type: 'object' }),
      },
    ),
  },
  '/v1/queues/{name}/jobs/{id}': {
    get: op(
      'producer',
      'A job: state, result, error; ?wait=ms long-polls',
      { '200': { description: 'The job' } },
      {
        parameters: [
          name,
          pathParam('id', 'The job id'),
          { name: 'wait', in: 'query', schema: { type: 'integer' } },
        ],
      },
    ),
  },
  '/v1/queues/{name}/join': {
    post: op(
      'producer',
      'Waits until every job put is acknowledged',
      { '200': { description: 'Joined' }, '408': errorBody },
      {
        parameters: [name, { name: 'timeout', in: 'query', schema: { type: 'integer' } }],
      },
    ),
  },
  '/v1/queues/{name}/shutdown': {
    post: op(
      'producer',
      'Shuts the queue down (?immediate=true)',
      { '200': { description: 'Shut down' } },
      {
        parameters: [name, { name: 'immediate', in: 'query', schema: { type: 'boolean' } }],
      },
    ),
  },
}
