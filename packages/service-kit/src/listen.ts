import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import { createHttpServer } from './http-server.js'

/** A listening HTTP server, and how to close it gracefully. */
export interface Listening {
  readonly server: Server
  /** `http://host:port`, with the port the system chose for port 0. */
  readonly url: string
  /**
   * Stops taking connections, lets requests in flight finish, closes idle
   * keep-alive connections; after `graceMs` drops whatever is left.
   */
  close(graceMs: number): Promise<void>
}

export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = createHttpServer(app)
  // Keep-alive connections outlive a load balancer's idle timeout (often 60 s).
  server.keepAliveTimeout = 65_000
  server.listen(port, host)
  await once(server, 'listening')
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs)
        force.unref()
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        server.closeIdleConnections()
      })
      return closing
    },
  }
}

/** listen(), or one line saying why not (the port is taken …) and exit 1. */
export async function listenOrExit(
  service: string,
  app: Express,
  port: number,
  host: string,
): Promise<Listening> {
  try {
    return await listen(app, port, host)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`${service}: cannot listen on ${host}:${port}: ${message}\n`)
    process.exit(1)
  }
}
