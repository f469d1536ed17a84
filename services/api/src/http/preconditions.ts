import { HttpError } from '@redproc/service-kit'
import type { CompareAndSetResult, Expected } from '@redproc/shared'
import type { Request, Response } from 'express'
import { sendError } from './errors.js'

const STRONG_ETAG = /^"([0-9a-f]{40})"$/

/**
 * What a conditional PUT or DELETE expects, from `If-Match` (an ETag this
 * server sent, or `*`) or `If-None-Match: *` (create only); undefined when
 * the request is unconditional.
 */
export function expectedVersion(req: Request): Expected | undefined {
  const ifMatch = req.headers['if-match']?.trim()
  const ifNoneMatch = req.headers['if-none-match']?.trim()
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new HttpError(400, 'TYPE_ERROR', 'send If-Match or If-None-Match, not both')
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch === '*') return null
    throw new HttpError(400, 'TYPE_ERROR', 'If-None-Match takes only * here (create if absent)')
  }
  if (ifMatch === undefined) return undefined
  if (ifMatch === '*') return '*'
  const match = STRONG_ETAG.exec(ifMatch)
  if (!match) {
    throw new HttpError(
      400,
      'TYPE_ERROR',
      'If-Match must be an ETag this server sent (quoted), or *',
    )
  }
  return match[1] as string
}

export function setEtag(res: Response, etag: string | null): void {
  if (etag) res.setHeader('etag', `"${etag}"`)
}

/** Answers a conditional write: 204 with the new ETag, or 412 with the current one. */
export function sendCompareAndSet(res: Response, result: CompareAndSetResult, what: string): void {
  setEtag(res, result.etag)
  if (result.ok) {
    res.status(204).end()
    return
  }
  sendError(
    res,
    412,
    'PRECONDITION_FAILED',
    result.etag === null
      ? `${what} does not exist (any more): read it again`
      : `${what} has changed since it was read: read it again and retry`,
  )
}
