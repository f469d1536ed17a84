/**
 * The child side of a benchmark process: arguments in, JSON lines out.
 *
 * stdout carries one JSON object per line: `ready` once the process waits for
 * work, `count` with its running total of finished items, and `done` with its
 * final figures. The parent asks it to stop by closing stdin, so a child whose
 * parent died stops too.
 */

export type ChildArgs = Record<string, string>

export function send(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`)
}

/** `--key value` pairs; a bare `--flag` becomes 'true'. */
export function parseArgs(argv = process.argv.slice(2)): ChildArgs {
  const args: ChildArgs = {}
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]?.replace(/^--/, '') ?? ''
    const next = argv[i + 1]
    if (next === undefined || next.startsWith('--')) args[key] = 'true'
    else {
      args[key] = next
      i++
    }
  }
  return args
}

export function required(args: ChildArgs, key: string): string {
  const value = args[key]
  if (value === undefined) throw new Error(`missing --${key}`)
  return value
}

/** Counts finished items and reports the total at most once per event-loop turn. */
export class Counter {
  total = 0
  private scheduled = false

  add(n = 1): void {
    this.total += n
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      send({ type: 'count', count: this.total })
    })
  }
}

/** The peak resident set size, sampled every few milliseconds while running. */
class RssSampler {
  peakMb = 0
  private timer: NodeJS.Timeout | undefined

  start(intervalMs: number): void {
    this.sample()
    this.timer = setInterval(() => this.sample(), intervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
    this.sample()
  }

  private sample(): void {
    this.peakMb = Math.max(this.peakMb, process.memoryUsage.rss() / 2 ** 20)
  }
}

export interface Consumer {
  /** Stops taking work and releases every connection. */
  stop(): Promise<void>
}

/**
 * Runs a consumer child: `start` connects and begins consuming, counting each
 * finished item; then the child says `ready`, consumes until stdin closes,
 * stops, and reports its count, peak RSS and CPU time.
 */
export async function serveChild(
  start: (args: ChildArgs, counter: Counter) => Promise<Consumer>,
): Promise<void> {
  const args = parseArgs()
  const counter = new Counter()
  const sampler = new RssSampler()
  const consumer = await start(args, counter)
  const idleRssMb = process.memoryUsage.rss() / 2 ** 20
  if (args.rss) sampler.start(20)
  send({ type: 'ready', rssMb: idleRssMb })
  await stdinClosed()
  await consumer.stop()
  sampler.stop()
  const cpu = process.cpuUsage()
  send({
    type: 'done',
    count: counter.total,
    idleRssMb,
    peakRssMb: sampler.peakMb,
    cpuMs: (cpu.user + cpu.system) / 1000,
  })
  // A benchmark child, not library code: leave at once even if a competitor left a timer behind.
  process.exit(0)
}

function stdinClosed(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('data', () => {})
    process.stdin.once('end', resolve)
    process.stdin.once('close', resolve)
    process.stdin.resume()
  })
}

/** Logs a child's failure for the parent to show, and exits non-zero. */
export function failed(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`)
  process.exit(1)
}
