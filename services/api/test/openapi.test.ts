import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Express } from 'express'
import { startApi } from './support/api.js'

interface Layer {
  rawPath?: string
  route?: { path: string; methods: Record<string, boolean> }
  handle: { stack?: Layer[] }
}

/** Every route the app serves, as `METHOD /path/{param}`, found by walking its routers. */
function routesOf(app: Express): string[] {
  const found: string[] = []
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const own = layer.route.path === '/' ? '' : layer.route.path
        const path = `${prefix}${own}`.replace(/:(\w+)/g, '{$1}')
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') found.push(`${method.toUpperCase()} ${path === '' ? '/' : path}`)
        }
      } else if (layer.handle.stack) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''
        walk(layer.handle.stack, `${prefix}${mount}`)
      }
    }
  }
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '')
  return found
}

it('/openapi.json describes every route the api serves', async (t) => {
  const api = await startApi(t)
  const reply = await api.request('GET', '/openapi.json')
  assert.equal(reply.status, 200)
  assert.equal(reply.body.openapi, '3.1.0')
  const documented = new Set(
    Object.entries(reply.body.paths as Record<string, object>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  )
  // The page and bull-board's own routes are not part of the HTTP API.
  const served = routesOf(api.app).filter(
    (route) => route !== 'GET /' && !route.includes('/admin/queues'),
  )
  assert.ok(served.length > 30, `found the routes (${served.length})`)
  const missing = served.filter((route) => !documented.has(route))
  assert.deepEqual(missing, [], 'every route is in the document')
})
