import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP relay that holds every chunk a client sends for `delayMs` before it
 * forwards it (replies pass at once), so each round trip takes `delayMs`
 * more: what `tc netem delay` on the client's link does, for kernels built
 * without netem. Chunks leave in the order they came (Node fires timers of
 * one duration in the order they were set).
 */
export async function startDelayRelay(
  listen: { host: string; port: number },
  target: { host: string; port: number },
  delayMs: number,
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = createConnection(target)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delayMs))
    client.on('end', () => setTimeout(() => upstream.end(), delayMs))
    upstream.pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, resolve)
  })
  return {
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
