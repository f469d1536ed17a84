import { once } from 'node:events'
import { createConnection } from 'node:net'

/** What MONITOR reports of one command: its arguments, and who sent it ('lua' for a script). */
export type OnCommand = (args: string[], source: string) => void

/**
 * MONITOR on one Redis node, over a socket of its own. (ioredis's monitor
 * mode can take the first monitored line for a reply to a command of its own
 * and fail with "Command queue state error".) Resolves once Redis confirmed;
 * the result stops monitoring.
 */
export async function monitor(
  host: string,
  port: number,
  onCommand: OnCommand,
): Promise<() => void> {
  const socket = createConnection({ host, port })
  socket.setEncoding('utf8')
  await once(socket, 'connect')
  socket.write('MONITOR\r\n')
  let buffer = ''
  let confirmed: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    confirmed = resolve
  })
  socket.on('data', (chunk: string) => {
    buffer += chunk
    let end = buffer.indexOf('\r\n')
    while (end >= 0) {
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      if (line === '+OK') confirmed()
      else if (line.startsWith('+')) {
        const parsed = parseLine(line)
        if (parsed) onCommand(parsed.args, parsed.source)
      }
      end = buffer.indexOf('\r\n')
    }
  })
  await ready
  return () => socket.destroy()
}

/** `+1700000000.123456 [0 127.0.0.1:5000] "set" "k" "v"` → its source and arguments. */
function parseLine(line: string): { source: string; args: string[] } | undefined {
  const match = /^\+\S+ \[\d+ ([^\]]+)\] (.*)$/s.exec(line)
  if (!match) return undefined
  const [, source = '', rest = ''] = match
  const args: string[] = []
  for (const quoted of rest.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    args.push(
      (quoted[1] ?? '').replace(/\\(x[0-9a-f]{2}|.)/g, (_, sequence: string) => {
        if (sequence.startsWith('x') && sequence.length === 3)
          return String.fromCharCode(Number.parseInt(sequence.slice(1), 16))
        return { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' }[sequence] ?? sequence
      }),
    )
  }
  return { source, args }
}
