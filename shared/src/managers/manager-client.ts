import { type Dispatcher, Pool } from 'undici'
import { ERROR_CODES, type ErrorCode, errorFor, type RedprocError } from '../errors.js'

/** One HTTP exchange with the manager server. */
export interface ManagerRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'
  /** The path below the server's base, already encoded: `/v1/dicts/d`. */
  path: string
  query?: Record<string, string | number | undefined>
  /** JSON text, encoded by the caller (values are checked by `encode` on the way). */
  body?: string
  headers?: Record<string, string>
  /** Statuses past 2xx that the caller reads (404 for a missing key, 412 for a lost race). */
  accept?: number[]
}

export interface ManagerResponse {
  status: number
  etag: string | null
  /** The parsed JSON body; undefined when there was none. */
  body: unknown
}

/**
 * The client side of the manager server: keep-alive connections (undici) to
 * one base URL, the Bearer key on every request, and the server's
 * `{ error: { code, message } }` turned back into the `RedprocError` the
 * direct object would have thrown.
 */
export class ManagerClient {
  private readonly pool: Pool
  private readonly base: string
  private readonly authorization: string
  private readonly timeoutMs: number
  private readonly url: string

  constructor(url: URL, authkey: string, connections: number, timeoutMs: number) {
    this.url = `${url.origin}${url.pathname}`.replace(/\/$/, '')
    this.base = url.pathname.replace(/\/$/, '')
    this.authorization = `Bearer ${authkey}`
    this.timeoutMs = timeoutMs
    this.pool = new Pool(url.origin, { connections, pipelining: 1 })
  }

  /**
   * Sends one request. 2xx and the statuses in `accept` come back for the
   * caller to read; every other status becomes the error its body names.
   */
  async send(request: ManagerRequest): Promise<ManagerResponse> {
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/json',
      ...request.headers,
    }
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    let response: Dispatcher.ResponseData
    try {
      response = await this.pool.request({
        method: request.method,
        path: `${this.base}${request.path}${queryString(request.query)}`,
        headers,
        body: request.body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      })
    } catch (cause) {
      throw errorFor(
        'CONNECTION',
        `the manager server at ${this.url} did not answer: ${(cause as Error).message}`,
        { cause },
      )
    }
    const text = await response.body.text()
    const parsed = parseJson(text)
    const etag = response.headers.etag
    const result = {
      status: response.statusCode,
      etag: typeof etag === 'string' ? unquote(etag) : null,
      body: parsed,
    }
    if (response.statusCode < 300 || this.accepted(request, response.statusCode, parsed)) {
      return result
    }
    throw this.errorOf(response.statusCode, parsed)
  }

  /** A 404 is an answer only when it names a missing key or index, not an unknown route. */
  private accepted(request: ManagerRequest, status: number, body: unknown): boolean {
    if (!request.accept?.includes(status)) return false
    // A HEAD reply has no body to name it.
    if (status !== 404 || request.method === 'HEAD') return true
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code
    return code === 'KEY_ERROR' || code === 'INDEX_ERROR'
  }

  close(): Promise<void> {
    return this.pool.close()
  }

  private errorOf(status: number, body: unknown): RedprocError {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    const message =
      typeof error?.message === 'string' ? error.message : `the manager server at ${this.url}`
    if (status === 401) return errorFor('AUTH', message)
    const code = error?.code
    if (typeof code === 'string' && ERROR_CODES.includes(code as ErrorCode)) {
      return errorFor(code as ErrorCode, message)
    }
    // A status with no redproc code (a proxy's 502, a rate limit): the server was not had.
    return errorFor('CONNECTION', `${message} (HTTP ${status})`)
  }
}

function queryString(query: ManagerRequest['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `"abc"` or `W/"abc"` → `abc` */
function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '')
}
