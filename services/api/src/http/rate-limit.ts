import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestHandler } from 'express'
import { sendError } from './errors.js'

const WINDOW_MS = 60_000

/**
 * Requests per client address in fixed one-minute windows, with the IETF
 * draft's `RateLimit-Policy` and `RateLimit` headers and `Retry-After` on a
 * refusal. Counts live in this process and are dropped whole at each window's
 * end, so memory holds one minute's addresses at most.
 */
export class RateLimit {
  private counts = new Map<string, number>()
  private windowEnds = 0
  private readonly policy: string
  /** The message of a refusal, as every route answers it with 429 RATE_LIMITED. */
  readonly refusal: string

  constructor(private readonly perMinute: number) {
    this.policy = `"per-address"; q=${perMinute}; w=${WINDOW_MS / 1000}`
    this.refusal = `more than ${perMinute} requests a minute from this address`
  }

  /** Counts the request; whether it may go on. Sets the headers either way. */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const now = Date.now()
    if (now >= this.windowEnds) {
      this.counts = new Map()
      this.windowEnds = now + WINDOW_MS
    }
    const address = req.socket.remoteAddress ?? 'unknown'
    const count = (this.counts.get(address) ?? 0) + 1
    this.counts.set(address, count)
    const resetSeconds = Math.ceil((this.windowEnds - now) / 1000)
    res.setHeader('RateLimit-Policy', this.policy)
    res.setHeader(
      'RateLimit',
      `"per-address"; r=${Math.max(0, this.perMinute - count)}; t=${resetSeconds}`,
    )
    if (count <= this.perMinute) return true
    res.setHeader('Retry-After', String(resetSeconds))
    return false
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      if (this.admit(req, res)) next()
      else sendError(res, 429, 'RATE_LIMITED', this.refusal)
    }
  }
}
