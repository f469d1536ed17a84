import { HttpError } from '@redproc/service-kit'
import { type Context, inspectSync } from '@redproc/shared'
import { Router } from 'express'
import { param } from '../http/params.js'
import type { EventHub } from './event-hub.js'
import type { Monitor } from './monitor.js'

const HEARTBEAT_MS = 15_000

/** `/v1/queues`, `/v1/workers`, `/v1/sync` and the `/v1/events` stream. */
export function monitoringRouter(mp: Context, monitor: Monitor, hub: EventHub): Router {
  const router = Router({ strict: true })

  router.get('/queues', async (_req, res) => {
    res.json({ queues: (await monitor.snapshot()).queues })
  })

  router.get('/queues/:name', async (req, res) => {
    const name = param(req, 'name')
    const queue = (await monitor.snapshot()).queues.find((q) => q.name === name)
    if (!queue)
      throw new HttpError(
        404,
        'KEY_ERROR',
        `no queue ${JSON.stringify(name)} in namespace '${mp.options.namespace}'`,
      )
    res.json(queue)
  })

  router.get('/workers', async (_req, res) => {
    res.json({ workers: (await monitor.snapshot()).workers })
  })

  router.get('/sync', async (_req, res) => {
    res.json({ objects: await inspectSync(mp) })
  })

  /**
   * Server-sent events: `state` (the whole picture, each second, never
   * replayed) and numbered change events, replayed after `Last-Event-ID`.
   */
  router.get('/events', (req, res) => {
    const lastId = Number(req.headers['last-event-id'])
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    // A HEAD gets the headers only: a stream without a body would never end.
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    res.write('retry: 2000\n\n')
    const unsubscribe = hub.subscribe(
      (event) => {
        const id = event.id === undefined ? '' : `id: ${event.id}\n`
        res.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`)
      },
      Number.isSafeInteger(lastId) ? lastId : undefined,
    )
    monitor.start()
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
    req.on('close', () => {
      clearInterval(heartbeat)
      unsubscribe()
      if (hub.subscribers === 0) monitor.stop()
    })
  })

  return router
}
