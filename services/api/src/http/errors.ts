import type { Response } from 'express'

/**
 * An error body for the api's answers that no RedprocError names: a lost
 * compare-and-set (412 PRECONDITION_FAILED) and the rate limit (429
 * RATE_LIMITED). Every other error goes through the service kit's handler.
 */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } })
}
