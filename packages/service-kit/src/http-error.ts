import { type ErrorCode, isRedprocError } from '@redproc/shared'

/**
 * An error a route answers with: its status and the `{ error: { code,
 * message } }` body. Codes are the contract's (`ErrorCode`).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** More of the body's `error`, such as a count. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/**
 * The one map from a RedprocError's code to an HTTP status. Bad input is
 * 400; a well-formed request the state refuses is 409 (or 422 for a job id
 * reused with other data, as the IETF Idempotency-Key draft says); a wait
 * that ran out is 408; Redis out of reach is 503; a wait given up by its
 * caller (ABORTED) is 499, the status proxies log for a client that left.
 */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  EMPTY: 404,
  FULL: 429,
  SHUTDOWN: 409,
  TIMEOUT: 408,
  TOO_MANY_TASK_DONE: 409,
  NOT_OWNER: 409,
  SEMAPHORE_OVERFLOW: 409,
  BROKEN_BARRIER: 409,
  EOF: 410,
  AUTH: 401,
  INVALID_NAME: 400,
  NOT_SERIALIZABLE: 400,
  UNKNOWN_TASK: 422,
  REMOTE_TASK_FAILED: 422,
  CONNECTION: 503,
  INDEX_ERROR: 404,
  KEY_ERROR: 404,
  VALUE_ERROR: 422,
  TYPE_ERROR: 400,
  IN_USE: 409,
  ABORTED: 499,
}

/** The HttpError a thrown error answers with, or undefined for a fault of the service itself. */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error
  if (isRedprocError(error))
    return new HttpError(STATUS_BY_CODE[error.code], error.code, error.message)
  return requestError(error)
}

/**
 * What express and its JSON parser throw when the request itself is at
 * fault: a body too large, not JSON, in an unsupported charset or encoding,
 * or one that does not inflate; a path parameter that is not UTF-8. They
 * carry a 4xx `status` (http-errors' convention).
 */
function requestError(error: unknown): HttpError | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown }
  const detail = error instanceof Error ? error.message : 'malformed'
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit
    return new HttpError(413, 'VALUE_ERROR', `the request body is over the limit of ${limit} bytes`)
  }
  if (type === 'entity.parse.failed') {
    return new HttpError(400, 'VALUE_ERROR', `the request body is not valid JSON: ${detail}`)
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new HttpError(
      415,
      'VALUE_ERROR',
      'the request body must be JSON in UTF-8, as is or in gzip, deflate or br',
    )
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'VALUE_ERROR', `the request cannot be read: ${detail}`)
  }
  return undefined
}
