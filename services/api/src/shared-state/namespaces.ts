import { validate } from '@redproc/service-kit'
import type { Context } from '@redproc/shared'
import { Router } from 'express'
import { param } from '../http/params.js'
import { valueBody } from '../http/schemas.js'

/** `/v1/namespaces/:name[/:attr]`: `mp.namespace(name)` over HTTP. */
export function namespacesRouter(mp: Context): Router {
  const router = Router({ strict: true })

  router.get('/:name', async (req, res) => {
    res.json({ attributes: await mp.namespace(param(req, 'name')).toObject() })
  })

  /** `ns.attr`: 404 KEY_ERROR for an attribute never set. */
  router.get('/:name/:attr', async (req, res) => {
    const ns = mp.namespace(param(req, 'name'))
    res.json({ value: await ns.get(param(req, 'attr')) })
  })

  router.put('/:name/:attr', async (req, res) => {
    const ns = mp.namespace(param(req, 'name'))
    const attribute = param(req, 'attr')
    await ns.set(attribute, validate(valueBody, req.body, 'body').value)
    res.status(204).end()
  })

  router.delete('/:name/:attr', async (req, res) => {
    const ns = mp.namespace(param(req, 'name'))
    res.json({ deleted: await ns.delete(param(req, 'attr')) })
  })

  return router
}
