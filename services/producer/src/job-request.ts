import { HttpError, validate } from '@redproc/service-kit'
import type { CallJob, Json, NewJob } from '@redproc/shared'
import { z } from 'zod'

/** One job as a client posts it: the task to run, its arguments, BullMQ-style options. */
const jobSchema = z.strictObject({
  task: z.string().min(1).max(200),
  args: z.array(z.json()).default([]),
  // Checked by the library, which names each unknown or unsupported option.
  opts: z.record(z.string(), z.unknown()).optional(),
})

const batchSchema = z.strictObject({ jobs: z.array(z.unknown()) })

/**
 * The jobs of a POST body, one `{ task, args, opts }` or a batch `{ jobs:
 * [...] }`, as the library puts them. An `Idempotency-Key` becomes the
 * `jobId` of a single job, and `<key>-<index>` of each job of a batch.
 */
export function jobsOfRequest(
  body: unknown,
  idempotencyKey: string | undefined,
  maxBatch: number,
): { jobs: NewJob<CallJob>[]; batch: boolean } {
  const batch = typeof body === 'object' && body !== null && 'jobs' in body
  const posted = batch ? validate(batchSchema, body, 'body').jobs : [body]
  if (posted.length > maxBatch) {
    throw new HttpError(
      413,
      'VALUE_ERROR',
      `a batch holds at most ${maxBatch} jobs; this one has ${posted.length}: split it`,
    )
  }
  const jobs = posted.map((entry, i) => {
    const job = validate(jobSchema, entry, batch ? `jobs[${i}]` : 'body')
    const opts: Record<string, unknown> = { ...job.opts }
    if (idempotencyKey !== undefined) {
      if (opts.jobId !== undefined) {
        throw new HttpError(400, 'TYPE_ERROR', 'send a jobId or an Idempotency-Key, not both')
      }
      opts.jobId = batch ? `${idempotencyKey}-${i}` : idempotencyKey
    }
    return { name: job.task, data: { task: job.task, args: job.args as Json[] }, opts }
  })
  return { jobs, batch }
}

/** A query parameter of milliseconds: absent, or an integer from 0 to `max`. */
export function msParameter(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined
  const ms = validate(z.coerce.number().int().min(0), value, name)
  if (ms > max) throw new HttpError(400, 'VALUE_ERROR', `${name} is at most ${max} ms, not ${ms}`)
  return ms
}
