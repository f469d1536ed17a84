import { HttpError, validate } from '@redproc/service-kit'
import { type Context, type Dict, etagOf, type Json, type Versioned } from '@redproc/shared'
import { Router } from 'express'
import { z } from 'zod'
import { param } from '../http/params.js'
import { expectedVersion, sendCompareAndSet, setEtag } from '../http/preconditions.js'
import { json, valueBody } from '../http/schemas.js'

const pageQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a cursor a page returned')
    .default('0'),
  count: z
    .string()
    .regex(/^\d{1,5}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().max(10_000))
    .default(100),
})
const updateBody = z.record(z.string(), json)
const popBody = z.strictObject({ key: z.string() })
const setdefaultBody = z.strictObject({ key: z.string(), default: json.default(null) })

/** `/v1/dicts/:name[/:key]`: `mp.dict(name)` over HTTP. */
export function dictsRouter(mp: Context): Router {
  const router = Router({ strict: true })

  /** A page of pairs (HSCAN): follow `cursor` until it is null. `count=0` gives only `size`. */
  router.get('/:name', async (req, res) => {
    const dict = mp.dict(param(req, 'name'))
    const { cursor, count } = validate(pageQuery, req.query, 'query')
    if (count === 0) {
      res.json({ items: {}, cursor: null, size: await dict.size() })
      return
    }
    const [page, size] = await Promise.all([dict.page(cursor, count), dict.size()])
    res.json({ items: page.items, cursor: page.cursor === '0' ? null : page.cursor, size })
  })

  /** `d.update({...})`: every pair in one write. */
  router.patch('/:name', async (req, res) => {
    const dict = mp.dict(param(req, 'name'))
    await dict.update(validate(updateBody, req.body, 'body'))
    res.status(204).end()
  })

  router.delete('/:name', async (req, res) => {
    await mp.dict(param(req, 'name')).clear()
    res.status(204).end()
  })

  router.post('/:name/pop', async (req, res) => {
    const dict = mp.dict(param(req, 'name'))
    const { key } = validate(popBody, req.body, 'body')
    res.json({ value: await dict.pop(key) })
  })

  router.post('/:name/setdefault', async (req, res) => {
    const dict = mp.dict(param(req, 'name'))
    const body = validate(setdefaultBody, req.body, 'body')
    res.json({ value: await dict.setdefault(body.key, body.default) })
  })

  router.get('/:name/:key', async (req, res) => {
    const found = await readKey(mp.dict(param(req, 'name')), param(req, 'key'))
    setEtag(res, found.etag)
    res.json({ value: found.value })
  })

  /** `d[k] = v`; with If-Match / If-None-Match, a compare-and-set (412 on a lost race). */
  router.put('/:name/:key', async (req, res) => {
    const dict = mp.dict(param(req, 'name'))
    const key = param(req, 'key')
    const expected = expectedVersion(req)
    const { value } = validate(valueBody, req.body, 'body')
    if (expected !== undefined) {
      const result = await dict.compareAndSet(key, expected, value)
      sendCompareAndSet(res, result, `key ${JSON.stringify(key)} of dict '${dict.name}'`)
      return
    }
    setEtag(res, await writeKey(dict, key, value))
    res.status(204).end()
  })

  router.delete('/:name/:key', async (req, res) => {
    const dict = mp.dict(param(req, 'name'))
    const key = param(req, 'key')
    const expected = expectedVersion(req)
    if (expected !== undefined) {
      const result = await dict.compareAndDelete(key, expected)
      sendCompareAndSet(res, result, `key ${JSON.stringify(key)} of dict '${dict.name}'`)
      return
    }
    res.json({ deleted: await dict.delete(key) })
  })

  return router
}

/** `d[k]` with its version: 404 KEY_ERROR when the key is absent. */
export async function readKey(dict: Dict, key: string): Promise<Versioned<Json>> {
  const found = await dict.entry(key)
  if (!found)
    throw new HttpError(404, 'KEY_ERROR', `dict '${dict.name}' has no key ${JSON.stringify(key)}`)
  return found
}

/** `d[k] = value`, unconditionally; the new version. */
export async function writeKey(dict: Dict, key: string, value: Json): Promise<string> {
  await dict.set(key, value)
  return etagOf(JSON.stringify(value))
}
