import { Cluster, type Command, type Redis } from 'ioredis'
import type { RedisClient } from './redis-client.js'

interface Queue {
  shift(): { command: Command } | undefined
}

/** ioredis's queues of one connection (not in its types). */
interface Queues {
  /** Commands sent while the connection was down. */
  offlineQueue?: Queue
  /** Commands a dropped connection left unanswered, kept to resend once the next is ready. */
  prevCommandQueue?: Queue | null
}

/**
 * Makes every command of `client` (and of each node of a cluster) settle
 * once the client is closed. ioredis leaves some unanswered for ever, and
 * whoever awaits them, such as a context's `close()`:
 * - closed while it waits to reconnect, a client stays in that state, and
 *   the commands it kept are neither sent nor failed;
 * - closed while its next connection is being made, it fails the commands
 *   of that connection but not those kept from the dropped one.
 * Both fail here as the client's other commands do, with "Connection is closed."
 */
export function failStrandedCommands(client: RedisClient): void {
  if (client instanceof Cluster) client.on('+node', (node: Redis) => watch(node))
  else watch(client)
}

function watch(connection: Redis): void {
  connection.on('end', () => fail((connection as unknown as Queues).prevCommandQueue))
  const disconnect = connection.disconnect.bind(connection)
  connection.disconnect = (reconnect = false) => {
    const waitingToReconnect = !reconnect && connection.status === 'reconnecting'
    disconnect(reconnect)
    if (waitingToReconnect) {
      const queues = connection as unknown as Queues
      fail(queues.prevCommandQueue)
      fail(queues.offlineQueue)
    }
  }
}

function fail(queue: Queue | null | undefined): void {
  for (let item = queue?.shift(); item; item = queue?.shift()) {
    item.command.reject(new Error('Connection is closed.'))
  }
}
