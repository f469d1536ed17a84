import type { TestContext } from 'node:test'

export interface SseEvent {
  id?: string
  type: string
  data: unknown
}

/**
 * A server-sent event stream read with fetch: `next(type)` resolves with the
 * next event of that type. Closed when the test ends.
 */
export function readEvents(t: TestContext, url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const events: SseEvent[] = []
  const waiting: Array<() => void> = []
  // A stream that fails (or that the server ends at teardown) is seen by next(), not left unhandled.
  let failure: unknown
  const done = (async () => {
    const response = await fetch(url, { headers, signal: controller.signal })
    if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`)
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event: SseEvent = { type: 'message', data: undefined }
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ')
          const value = rest.join(': ')
          if (field === 'id') event.id = value
          if (field === 'event') event.type = value
          if (field === 'data') event.data = JSON.parse(value)
        }
        if (event.data !== undefined) {
          events.push(event)
          for (const wake of waiting.splice(0)) wake()
        }
        end = buffer.indexOf('\n\n')
      }
    }
  })().catch((error) => {
    if (!controller.signal.aborted) failure = error
  })
  const close = () => controller.abort()
  t.after(async () => {
    close()
    await done
  })
  return {
    close,
    async next(type: string, timeoutMs = 10_000): Promise<SseEvent> {
      const end = Date.now() + timeoutMs
      for (;;) {
        const index = events.findIndex((event) => event.type === type)
        if (index >= 0) return events.splice(0, index + 1).at(-1) as SseEvent
        if (failure !== undefined) throw failure
        if (Date.now() > end) throw new Error(`no '${type}' event within ${timeoutMs} ms`)
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
          setTimeout(resolve, 100)
        })
      }
    },
  }
}
