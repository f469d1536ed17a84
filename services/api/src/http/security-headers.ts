import type { ServerResponse } from 'node:http'
import type { RequestHandler } from 'express'
import helmet from 'helmet'

type Headers = ReadonlyArray<readonly [string, string]>

/**
 * helmet's headers, read once: with its defaults they are the same on every
 * response, and setting a list costs a fraction of running its middleware.
 */
function helmetHeaders(options: Parameters<typeof helmet>[0] = {}): Headers {
  const headers = new Map<string, string>()
  const res = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  }
  helmet(options)({ headers: {}, method: 'GET', url: '/' } as never, res as never, () => {})
  return [...headers]
}

const STRICT = helmetHeaders()
/** bull-board's page needs inline scripts: no CSP under it. */
const WITHOUT_CSP = helmetHeaders({ contentSecurityPolicy: false })

export function setSecurityHeaders(res: ServerResponse, headers: Headers = STRICT): void {
  for (const [name, value] of headers) res.setHeader(name, value)
}

/** helmet's headers on every response; under `relaxedPrefix` without its CSP. */
export function securityHeaders(relaxedPrefix: string): RequestHandler {
  return (req, res, next) => {
    setSecurityHeaders(res, req.url.startsWith(relaxedPrefix) ? WITHOUT_CSP : STRICT)
    next()
  }
}
