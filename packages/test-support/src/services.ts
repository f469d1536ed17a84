import type { TestContext } from 'node:test'
import { type LogLine, type ServiceProcess, startProcess } from './service-process.js'

/** The authkey the tests start services with. */
export const AUTHKEY = 'test-authkey-0123456789abcdef'

export interface ServiceOptions {
  namespace: string
  args?: string[]
  env?: Record<string, string | undefined>
}

/** The producer, started as documented (`node services/producer/dist/main.js`), listening on a free port. */
export async function startProducer(
  t: TestContext,
  options: ServiceOptions,
): Promise<{ url: string; process: ServiceProcess }> {
  const process = startProcess(t, ['services/producer/dist/main.js', ...(options.args ?? [])], {
    REDIS_URL: redisUrl(),
    REDPROC_NAMESPACE: options.namespace,
    REDPROC_AUTHKEY: AUTHKEY,
    PORT: '0',
    ...options.env,
  })
  const listening = await process.line(
    (line) => line.msg === 'producer listening',
    'the producer to listen',
  )
  return { url: String(listening.url), process }
}

/** The api, started as documented (`node services/api/dist/main.js`), listening on a free port. */
export async function startApi(
  t: TestContext,
  options: ServiceOptions,
): Promise<{ url: string; process: ServiceProcess }> {
  const process = startProcess(t, ['services/api/dist/main.js', ...(options.args ?? [])], {
    REDIS_URL: redisUrl(),
    REDPROC_NAMESPACE: options.namespace,
    REDPROC_AUTHKEY: AUTHKEY,
    PORT: '0',
    ...options.env,
  })
  const listening = await process.line((line) => line.msg === 'api listening', 'the api to listen')
  // It logs the host it was given; the URL is the one clients use, without the trailing slash.
  return { url: String(listening.url).replace(/\/$/, ''), process }
}

/** A consumer, started as documented (`node services/consumer`), once it serves. */
export async function startConsumer(
  t: TestContext,
  options: ServiceOptions,
): Promise<ServiceProcess> {
  const process = startProcess(t, ['services/consumer', ...(options.args ?? [])], {
    REDIS_URL: redisUrl(),
    REDPROC_NAMESPACE: options.namespace,
    ...options.env,
  })
  await process.line((line) => line.msg === 'consumer started', 'the consumer to start')
  return process
}

/** Whether `line` is the log line of a job that finished (needs --log-jobs for successes). */
export const isJobLine = (line: LogLine) => line.component === 'jobs'

export function redisUrl(): string {
  const url = process.env.REDIS_URL
  if (!url)
    throw new Error('REDIS_URL is not set: run the tests with `npm test`, which chooses a Redis')
  return url
}

/** A JSON HTTP client for a service, with the test authkey unless told otherwise. */
export function client(baseUrl: string, authkey: string | null = AUTHKEY) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    // biome-ignore lint/suspicious/noExplicitAny: tests read the answers field by field
  ): Promise<{ status: number; body: any }> => {
    const all: Record<string, string> = { 'content-type': 'application/json', ...headers }
    if (authkey !== null) all.authorization = `Bearer ${authkey}`
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: all,
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
}
