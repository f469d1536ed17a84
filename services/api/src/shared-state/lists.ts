import { validate } from '@redproc/service-kit'
import type { Context } from '@redproc/shared'
import { Router } from 'express'
import { z } from 'zod'
import { indexParam, param } from '../http/params.js'
import { integerText, json, valueBody } from '../http/schemas.js'

const sliceQuery = z.strictObject({ start: integerText.optional(), stop: integerText.optional() })
const addBody = z.union([
  z.strictObject({ append: json }),
  z.strictObject({ extend: z.array(json) }),
])
const index = z.number().int()
const popBody = z.strictObject({ index: index.default(-1) })
const insertBody = z.strictObject({ index, value: json })

/** `/v1/lists/:name[/:index]`: `mp.list(name)` over HTTP. */
export function listsRouter(mp: Context): Router {
  const router = Router({ strict: true })

  /** `l[start:stop]` with Python's negative indices, and `len(l)`. */
  router.get('/:name', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    const { start, stop } = validate(sliceQuery, req.query, 'query')
    const [items, length] = await Promise.all([list.slice(start, stop), list.length()])
    res.json({ items, length })
  })

  /** `{ "append": item }` or `{ "extend": [items] }` */
  router.post('/:name', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    const body = validate(addBody, req.body, 'body')
    if ('append' in body) await list.append(body.append)
    else await list.extend(body.extend)
    res.status(204).end()
  })

  router.delete('/:name', async (req, res) => {
    await mp.list(param(req, 'name')).clear()
    res.status(204).end()
  })

  router.post('/:name/pop', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    const body = validate(popBody, req.body ?? {}, 'body')
    res.json({ value: await list.pop(body.index) })
  })

  router.post('/:name/insert', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    const body = validate(insertBody, req.body, 'body')
    await list.insert(body.index, body.value)
    res.status(204).end()
  })

  router.post('/:name/remove', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    await list.remove(validate(valueBody, req.body, 'body').value)
    res.status(204).end()
  })

  router.post('/:name/index', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    res.json({ index: await list.index(validate(valueBody, req.body, 'body').value) })
  })

  router.post('/:name/count', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    res.json({ count: await list.count(validate(valueBody, req.body, 'body').value) })
  })

  router.get('/:name/:index', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    res.json({ value: await list.get(indexParam(req)) })
  })

  router.put('/:name/:index', async (req, res) => {
    const list = mp.list(param(req, 'name'))
    const position = indexParam(req)
    await list.set(position, validate(valueBody, req.body, 'body').value)
    res.status(204).end()
  })

  return router
}
