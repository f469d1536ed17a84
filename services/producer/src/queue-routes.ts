import { HttpError, validate } from '@redproc/service-kit'
import { type Context, isRedprocError, type JoinableQueue } from '@redproc/shared'
import type { Request, Response, Router } from 'express'
import { z } from 'zod'
import { jobsOfRequest, msParameter } from './job-request.js'

export interface QueueRouteDeps {
  mp: Context
  maxBatch: number
  maxWaitMs: number
  /** Aborted when the service stops: long polls answer at once with what they have. */
  stopping: AbortSignal
}

/**
 * The producer's routes: put jobs, read one (long-polling with `?wait=`),
 * join, shut down. Each request opens a queue handle and closes it after:
 * handles are cheap, and no state outlives a request.
 */
export function queueRoutes(v1: Router, deps: QueueRouteDeps): void {
  const { mp } = deps

  const withQueue = async <R>(req: Request, use: (queue: JoinableQueue) => Promise<R>) => {
    const queue = mp.joinableQueue(String(req.params.name))
    try {
      return await use(queue)
    } finally {
      await queue.close()
    }
  }

  v1.post('/queues/:name/jobs', async (req, res) => {
    const key = idempotencyKey(req)
    const { jobs, batch } = jobsOfRequest(req.body, key, deps.maxBatch)
    const put = await withQueue(req, (queue) => queue.putJobs(jobs))
    const created = put.filter((job) => job.created).length
    res.status(created > 0 ? 201 : 200)
    if (batch) res.json({ ids: put.map((job) => job.id), created })
    else res.json({ id: put[0]?.id, created: created === 1 })
  })

  v1.get('/queues/:name/jobs/:id', async (req, res) => {
    const wait = msParameter(req.query.wait, 'wait', deps.maxWaitMs)
    const job = await withQueue(req, async (queue) => {
      const signal = requestSignal(res, deps.stopping)
      try {
        return await queue.getJob(String(req.params.id), { wait: wait ?? 0, signal })
      } catch (error) {
        // The client left or the service stops: answer with what there is now.
        if (!signal.aborted) throw error
        return queue.getJob(String(req.params.id))
      }
    })
    if (!job) {
      throw new HttpError(
        404,
        'KEY_ERROR',
        `queue '${req.params.name}' has no job ${req.params.id} (never put, or removed after it finished)`,
      )
    }
    res.json({ queue: req.params.name, ...job })
  })

  v1.post('/queues/:name/join', async (req, res) => {
    const timeout = msParameter(req.query.timeout, 'timeout', deps.maxWaitMs) ?? deps.maxWaitMs
    await withQueue(req, async (queue) => {
      const signal = requestSignal(res, deps.stopping)
      try {
        await queue.join({ timeout, signal })
      } catch (error) {
        if (!isRedprocError(error, 'TIMEOUT') && !signal.aborted) throw error
        const unfinished = await queue.unfinishedTasks()
        throw new HttpError(
          408,
          'TIMEOUT',
          `join timed out after ${timeout} ms with ${unfinished} jobs unfinished`,
          { unfinished },
        )
      }
    })
    res.json({ unfinished: 0 })
  })

  v1.post('/queues/:name/shutdown', async (req, res) => {
    const immediate = validate(
      z.enum(['true', 'false']).optional(),
      req.query.immediate,
      'immediate',
    )
    await withQueue(req, (queue) => queue.shutdown({ immediate: immediate === 'true' }))
    res.json({ shutdown: immediate === 'true' ? 'immediate' : 'graceful' })
  })
}

function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key')
  if (key === undefined) return undefined
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/.test(key) || /^\d+$/.test(key)) {
    throw new HttpError(
      400,
      'INVALID_NAME',
      'Idempotency-Key must be 1-151 letters, digits or . _ -, not only digits',
    )
  }
  return key
}

/**
 * Aborted when the client goes away or the service stops. The response's
 * 'close' says the client left (the request's fires once its body is read).
 */
function requestSignal(res: Response, stopping: AbortSignal): AbortSignal {
  const left = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) left.abort()
  })
  return AbortSignal.any([left.signal, stopping])
}
