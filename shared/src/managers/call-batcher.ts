import type { Json } from '../codec.js'
import { ERROR_CODES, type ErrorCode, errorFor } from '../errors.js'
import type { ManagerClient } from './manager-client.js'

/** The most calls the server takes in one request. */
const MAX_CALLS = 1000

interface Pending {
  /** The call as JSON text: `{"kind":"dict","name":"d","method":"get","args":["k"]}`. */
  text: string
  resolve(value: Json | undefined): void
  reject(error: Error): void
}

type Outcome = { value?: Json; error?: { code?: unknown; message?: unknown } }

/**
 * Gathers the method calls made at the same moment — by one caller or by
 * fifty awaiting ones — into one `POST /v1/call`, as ioredis pipelines the
 * commands of one tick: the server runs them together and answers each on
 * its own. A call waits at most until the current microtasks have run, so a
 * lone caller pays nothing for it.
 */
export class CallBatcher {
  private pending: Pending[] = []

  constructor(private readonly client: ManagerClient) {}

  /** Runs one call; resolves with what the method returned (undefined for nothing). */
  call(text: string): Promise<Json | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush())
      this.pending.push({ text, resolve, reject })
    })
  }

  private flush(): void {
    const all = this.pending
    this.pending = []
    for (let start = 0; start < all.length; start += MAX_CALLS) {
      void this.send(all.slice(start, start + MAX_CALLS))
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    let results: Outcome[]
    try {
      const body = await this.client.send({
        method: 'POST',
        path: '/v1/call',
        body: `{"calls":[${batch.map((call) => call.text).join(',')}]}`,
      })
      results = (body as { results: Outcome[] }).results
    } catch (error) {
      for (const call of batch) call.reject(error as Error)
      return
    }
    for (const [i, call] of batch.entries()) {
      const outcome = results[i] ?? {}
      if (outcome.error) call.reject(errorOf(outcome.error))
      else call.resolve(outcome.value)
    }
  }
}

function errorOf(error: { code?: unknown; message?: unknown }): Error {
  const message = typeof error.message === 'string' ? error.message : 'the call failed'
  if (typeof error.code === 'string' && ERROR_CODES.includes(error.code as ErrorCode)) {
    return errorFor(error.code as ErrorCode, message)
  }
  // A fault of the server itself, not of the call.
  return errorFor('CONNECTION', `the manager server failed: ${message}`)
}
