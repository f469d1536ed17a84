import type { Dispatcher, Pool } from 'undici'
import { ERROR_CODES, type ErrorCode, errorFor, type RedprocError } from '../errors.js'

/** One HTTP exchange with the manager server. */
export interface ManagerRequest {
  method: 'GET' | 'POST'
  /** The path below the server's base: `/v1/call`. */
  path: string
  /** JSON text, encoded by the caller (values are checked by `encode` on the way). */
  body?: string
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

  /**
   * Opens the connection pool. undici is loaded here, not when the library
   * is: a process that never reaches a manager server does not pay its memory.
   */
  static async open(
    url: URL,
    authkey: string,
    connections: number,
    timeoutMs: number,
  ): Promise<ManagerClient> {
    const { Pool } = await import('undici')
    return new ManagerClient(
      url,
      authkey,
      timeoutMs,
      new Pool(url.origin, { connections, pipelining: 1 }),
    )
  }

  private constructor(url: URL, authkey: string, timeoutMs: number, pool: Pool) {
    this.url = `${url.origin}${url.pathname}`.replace(/\/$/, '')
    this.base = url.pathname.replace(/\/$/, '')
    this.authorization = `Bearer ${authkey}`
    this.timeoutMs = timeoutMs
    this.pool = pool
  }

  /** Sends one request: the parsed body of a 2xx; any other status becomes the error its body names. */
  async send(request: ManagerRequest): Promise<unknown> {
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/json',
    }
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    let response: Dispatcher.ResponseData
    let text: string
    try {
      response = await this.pool.request({
        method: request.method,
        path: `${this.base}${request.path}`,
        headers,
        body: request.body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      })
      // A server that dies mid-answer fails here: the same CONNECTION.
      text = await response.body.text()
    } catch (cause) {
      throw errorFor(
        'CONNECTION',
        `the manager server at ${this.url} did not answer: ${(cause as Error).message}`,
        { cause },
      )
    }
    const parsed = parseJson(text)
    if (response.statusCode < 300) return parsed
    throw this.errorOf(response.statusCode, parsed)
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

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
