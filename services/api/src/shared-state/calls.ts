import { type Logger, toHttpError, validate } from '@redproc/service-kit'
import type { Context, Json } from '@redproc/shared'
import type { Request, RequestHandler } from 'express'
import { z } from 'zod'
import { json } from '../http/schemas.js'

/** The methods each kind exposes to calls, as a Python manager's proxy types list `exposed`. */
const EXPOSED = {
  dict: [
    'get',
    'set',
    'has',
    'delete',
    'size',
    'update',
    'pop',
    'popitem',
    'incr',
    'setdefault',
    'clear',
    'page',
    'entry',
    'compareAndSet',
    'compareAndDelete',
  ],
  list: [
    'append',
    'extend',
    'get',
    'set',
    'pop',
    'insert',
    'remove',
    'index',
    'count',
    'sort',
    'reverse',
    'length',
    'slice',
    'clear',
  ],
  namespace: ['get', 'set', 'delete', 'toObject'],
  value: ['get', 'set', 'add', 'entry', 'compareAndSet'],
} as const

type Kind = keyof typeof EXPOSED

/** The most calls one request may carry. */
export const MAX_CALLS = 1000

const callBody = z.strictObject({
  calls: z
    .array(
      z.strictObject({
        kind: z.enum(Object.keys(EXPOSED) as [Kind, ...Kind[]]),
        name: z.string(),
        method: z.string(),
        args: z.array(json).max(4).default([]),
        /** A value's initial value, as `mp.value(name, initial)` takes it. */
        initial: json.default(null),
      }),
    )
    .min(1)
    .max(MAX_CALLS),
})

type Call = z.output<typeof callBody>['calls'][number]

/** What one call gave: its value (absent when the method returns nothing), or its error. */
type Outcome = { value?: Json } | { error: { code: string; message: string } }

/**
 * `POST /v1/call`: method calls on named shared objects, many per request —
 * what a Python manager's proxies send over their connection, one call at a
 * time. The calls of a request run together, as the same calls made at once
 * on the direct objects would (Redis sees them pipelined), and each answers
 * on its own: one call's error does not fail the others. `RemoteManager`
 * sends every call through here, gathering the calls its callers make at
 * the same moment into one request.
 */
export function callsHandler(mp: Context, logger: Logger): RequestHandler {
  return async (req, res) => {
    const { calls } = validate(callBody, req.body, 'body')
    const results = await Promise.all(calls.map((call) => run(mp, call, logger, req)))
    res.json({ results })
  }
}

async function run(mp: Context, call: Call, logger: Logger, req: Request): Promise<Outcome> {
  try {
    const exposed: readonly string[] = EXPOSED[call.kind]
    if (!exposed.includes(call.method)) {
      return error(
        'VALUE_ERROR',
        `a ${call.kind} exposes ${exposed.join(', ')}; not ${JSON.stringify(call.method)}`,
      )
    }
    const target = objectOf(mp, call) as unknown as Record<string, (...args: Json[]) => unknown>
    const value = await (target[call.method] as (...args: Json[]) => unknown).apply(
      target,
      call.args,
    )
    return value === undefined ? {} : { value: value as Json }
  } catch (thrown) {
    const known = toHttpError(thrown)
    if (known) return error(known.code, known.message)
    logger.error(
      { err: thrown, reqId: req.id, kind: call.kind, method: call.method },
      'call failed',
    )
    return error('INTERNAL', `the call failed in the service; see its log for request ${req.id}`)
  }
}

function objectOf(mp: Context, call: Call): object {
  switch (call.kind) {
    case 'dict':
      return mp.dict(call.name)
    case 'list':
      return mp.list(call.name)
    case 'namespace':
      return mp.namespace(call.name)
    case 'value':
      return mp.value(call.name, call.initial)
  }
}

function error(code: string, message: string): Outcome {
  return { error: { code, message } }
}
