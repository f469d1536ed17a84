import { HttpError, validate } from '@redproc/service-kit'
import { type Context, etagOf, type Json, type Value, type Versioned } from '@redproc/shared'
import { Router } from 'express'
import { z } from 'zod'
import { param } from '../http/params.js'
import { expectedVersion, sendCompareAndSet, setEtag } from '../http/preconditions.js'
import { json, valueBody } from '../http/schemas.js'

const addBody = z.strictObject({ add: z.number(), initial: json.default(0) })

/** `/v1/values/:name`: `mp.value(name)` over HTTP, with an ETag for compare-and-set. */
export function valuesRouter(mp: Context): Router {
  const router = Router({ strict: true })

  /** Reads without creating: 404 KEY_ERROR for a value no one has set. */
  router.get('/:name', async (req, res) => {
    const found = await readValue(mp.value(param(req, 'name')))
    setEtag(res, found.etag)
    res.json({ value: found.value })
  })

  /** Sets; with If-Match / If-None-Match, a compare-and-set (412 on a lost race). */
  router.put('/:name', async (req, res) => {
    const value = mp.value(param(req, 'name'))
    const expected = expectedVersion(req)
    const body = validate(valueBody, req.body, 'body')
    if (expected !== undefined) {
      sendCompareAndSet(
        res,
        await value.compareAndSet(expected, body.value),
        `value '${value.name}'`,
      )
      return
    }
    setEtag(res, await writeValue(value, body.value))
    res.status(204).end()
  })

  /** `{ "add": n }`: atomic; a value not yet created starts at `initial` (default 0). */
  router.post('/:name', async (req, res) => {
    const name = param(req, 'name')
    const body = validate(addBody, req.body, 'body')
    res.json({ value: await mp.value(name, body.initial).add(body.add) })
  })

  return router
}

/** The value with its version: 404 KEY_ERROR for a value no one has set. */
export async function readValue(value: Value): Promise<Versioned<Json>> {
  const found = await value.entry()
  if (!found) {
    throw new HttpError(404, 'KEY_ERROR', `value '${value.name}' does not exist: PUT it first`)
  }
  return found
}

/** Sets the value, unconditionally; the new version. */
export async function writeValue(value: Value, to: Json): Promise<string> {
  await value.set(to)
  return etagOf(JSON.stringify(to))
}
