import { Agent, type IncomingHttpHeaders, request } from 'node:http'

/** A request as sent on the wire: any token as method, raw bytes in the path, repeated headers. */
export interface RawRequest {
  method: string
  /** Sent as is; characters from U+0080 to U+00FF go out as single (so not UTF-8) bytes. */
  path: string
  /** An array sends the header once per element; `host: []` sends no Host. */
  headers: Record<string, string | string[]>
  /** Sent with a Content-Length, unless the headers carry one or ask for chunks. */
  body?: Buffer
}

export interface RawReply {
  status: number
  headers: IncomingHttpHeaders
  /** Empty for an event stream, which is left after its headers. */
  body: Buffer
}

/**
 * An HTTP/1.1 client that sends what a well-behaved one would refuse to:
 * Node's own, on one keep-alive connection reused from request to request
 * (a new one when the server closes it). A request that gets no answer
 * within `timeoutMs` rejects: a hang is a finding, not a wait.
 */
export function rawClient(baseUrl: string, timeoutMs = 10_000) {
  const { hostname, port } = new URL(baseUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  return {
    send(raw: RawRequest): Promise<RawReply> {
      return new Promise((resolve, reject) => {
        // As rawHeaders: name, value, name, value … so that even Host may come twice (or not at all).
        const headers = Object.entries({ host: `${hostname}:${port}`, ...raw.headers }).flatMap(
          ([name, values]) =>
            (Array.isArray(values) ? values : [values]).flatMap((value) => [name, value]),
        )
        const named = (name: string) =>
          Object.keys(raw.headers).some((h) => h.toLowerCase() === name)
        if (raw.body !== undefined && !named('content-length') && !named('transfer-encoding')) {
          headers.push('content-length', String(raw.body.length))
        }
        const req = request({
          host: hostname,
          port,
          method: raw.method,
          path: raw.path,
          headers,
          agent,
        })
        const timer = setTimeout(() => {
          req.destroy()
          const socket = req.reusedSocket ? 'a reused connection' : 'a new connection'
          reject(new Error(`no answer within ${timeoutMs} ms on ${socket}`))
        }, timeoutMs)
        req.on('error', (error) => {
          clearTimeout(timer)
          reject(error)
        })
        // A CONNECT's answer comes as a tunnel: read it to its end.
        req.on('connect', (res, socket, head) => {
          const chunks: Buffer[] = [head]
          socket.on('data', (chunk: Buffer) => chunks.push(chunk))
          socket.on('error', () => {})
          socket.on('close', () => {
            clearTimeout(timer)
            resolve({
              status: res.statusCode as number,
              headers: res.headers,
              body: Buffer.concat(chunks),
            })
          })
        })
        req.on('response', (res) => {
          const status = res.statusCode as number
          if (String(res.headers['content-type']).startsWith('text/event-stream')) {
            clearTimeout(timer)
            res.destroy()
            resolve({ status, headers: res.headers, body: Buffer.alloc(0) })
            return
          }
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', (error) => {
            clearTimeout(timer)
            reject(error)
          })
          res.on('end', () => {
            clearTimeout(timer)
            resolve({ status, headers: res.headers, body: Buffer.concat(chunks) })
          })
        })
        req.end(raw.body)
      })
    },
    close(): void {
      agent.destroy()
    },
  }
}
