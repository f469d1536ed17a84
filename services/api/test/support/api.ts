import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { createHttpServer } from '@redproc/service-kit'
import { type Context, connect } from '@redproc/shared'
import type { Express } from 'express'
import { pino } from 'pino'
import { type ApiDeps, createApi } from '../../src/app.js'
import { createMonitoring } from '../../src/monitoring/monitoring.js'

export const AUTHKEY = 'test-authkey-0123456789'

export interface RunningApi {
  readonly url: string
  readonly app: Express
  /** A context on the api's namespace: the library side of every interop check. */
  readonly mp: Context
  /** One request with the key (unless `auth: false` or other headers are given). */
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>
}

export interface RequestOptions {
  body?: unknown
  /** Sent as is: malformed JSON, oversized bodies. */
  rawBody?: string
  headers?: Record<string, string>
  auth?: boolean
}

export interface Reply {
  status: number
  headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: tests read replies of every shape, and assert on them
  body: any
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL
  if (!url)
    throw new Error('REDIS_URL is not set: run the tests with `npm test`, which chooses a Redis')
  return url
}

/**
 * The api on port 0 over a fresh namespace of the test Redis; its keys are
 * deleted and everything closed when the test ends.
 */
export async function startApi(
  t: TestContext,
  overrides: Partial<Omit<ApiDeps, 'mp' | 'monitoring'>> & { monitorIntervalMs?: number } = {},
): Promise<RunningApi> {
  const namespace = `t-${randomUUID().slice(0, 8)}`
  const mp = await connect({ redis: redisUrl(), namespace })
  const logger = pino({ level: 'silent' })
  const monitoring = createMonitoring(mp, logger, {
    intervalMs: overrides.monitorIntervalMs ?? 200,
  })
  const { app, listener } = createApi({ mp, monitoring, authkey: AUTHKEY, logger, ...overrides })
  const server = createHttpServer(listener).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  t.after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await monitoring.close()
    const keys = await mp.redis.keys(`rp:{${namespace}:*`)
    if (keys.length > 0) await mp.redis.del(...keys)
    await mp.close()
  })
  return {
    url,
    app,
    mp,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers }
      if (options.auth !== false && headers.authorization === undefined) {
        headers.authorization = `Bearer ${AUTHKEY}`
      }
      let body: string | undefined = options.rawBody
      if (options.body !== undefined) body = JSON.stringify(options.body)
      if (body !== undefined) headers['content-type'] ??= 'application/json'
      const response = await fetch(`${url}${path}`, { method, headers, body })
      const text = await response.text()
      let parsed: unknown
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        parsed = text
      }
      return { status: response.status, headers: response.headers, body: parsed }
    },
  }
}
