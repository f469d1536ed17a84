import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http'
import type { Duplex } from 'node:stream'
import type { ErrorCode } from '@redproc/shared'

/**
 * The HTTP server of a service's app. What never reaches the app is answered
 * with the same `{ error: { code, message } }` body as everything else, where
 * Node would send a bare status line or close the connection: a request that
 * is not HTTP/1.1 (400), an HTTP/1.1 request without Host (400), headers over
 * the server's limit (431), a request too slow to arrive (408), an `Expect`
 * other than `100-continue` (417), a CONNECT (405). Every answer goes out
 * whole before the connection closes.
 */
export function createHttpServer(app: RequestListener): Server {
  // Node's own Host check answers with an empty body: this one says why.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    if (req.headers.host === undefined && req.httpVersion === '1.1') {
      answerAndEnd(res, 400, 'VALUE_ERROR', 'an HTTP/1.1 request needs a Host header')
      return
    }
    // Node reads nothing more on a connection after a request that asks for an
    // Upgrade, which no route grants: close it after the answer, or it hangs.
    if (req.headers.upgrade !== undefined) res.setHeader('connection', 'close')
    app(req, res)
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Node's own test: a response already under way on this socket cannot be followed by another.
    const inFlight = (socket as { _httpMessage?: ServerResponse })._httpMessage
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy()
      return
    }
    const [status, code, message] = describeClientError(error)
    // The answer to a HEAD has no body, or the client reads it as a next answer.
    const head = (error as { rawPacket?: Buffer }).rawPacket?.toString('latin1', 0, 5) === 'HEAD '
    answerAndClose(socket, rawResponse(status, code, message, !head))
  })
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    // The client may send the body anyway: closing spares reading it as the next request.
    answerAndEnd(res, 417, 'VALUE_ERROR', `Expect: ${req.headers.expect} is not supported`)
  })
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    answerAndClose(socket, rawResponse(405, 'VALUE_ERROR', `CONNECT ${req.url} is not served here`))
  })
  return server
}

const JSON_TYPE = 'application/json; charset=utf-8'

function describeClientError(error: NodeJS.ErrnoException): [number, ErrorCode, string] {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'VALUE_ERROR', "the request's headers are over the server's limit"]
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'VALUE_ERROR', "the request's chunk extensions are over the server's limit"]
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'TIMEOUT', 'the request did not arrive in time']
    default:
      return [
        400,
        'VALUE_ERROR',
        `the request is not valid HTTP/1.1 (${error.code ?? 'malformed'})`,
      ]
  }
}

/** An error answer, after which the connection closes. */
function answerAndEnd(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  const body = errorBody(code, message)
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  })
  res.end(body)
}

/**
 * Writes the answer, then reads and drops what the client still sends until
 * it closes (for a second at most): closing with unread bytes would reset
 * the connection, and the client could lose the answer.
 */
function answerAndClose(socket: Duplex, response: string): void {
  socket.on('error', () => socket.destroy())
  socket.on('data', () => {})
  socket.end(response)
  setTimeout(() => socket.destroy(), 1000).unref()
}

function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } })
}

/** A whole response written on the socket, which then closes: its parser state is lost. */
function rawResponse(status: number, code: ErrorCode, message: string, withBody = true): string {
  const body = errorBody(code, message)
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    `Content-Type: ${JSON_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    withBody ? body : '',
  ].join('\r\n')
}
