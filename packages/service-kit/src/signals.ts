import type { Logger } from 'pino'

export interface SignalOptions {
  logger: Logger
  /** After the first signal, how long the graceful stop may take before the process exits 1. */
  graceMs: number
  /** Stops taking work, finishes what is in flight, closes everything. */
  stop(): Promise<void>
  /** How the process ends: `process.exit`, or a test's stand-in. */
  exit?: (code: number) => void
}

/**
 * The two-signal runner: the first SIGTERM or SIGINT stops the service
 * gracefully and exits 0 (1 if stopping failed); a second signal, or the
 * grace time running out, exits 1 at once.
 */
export function stopOnSignals(options: SignalOptions): void {
  const { logger, graceMs } = options
  const exit = options.exit ?? ((code: number) => process.exit(code))
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      exit(1)
      return
    }
    stopping = true
    logger.info({ signal, graceMs }, 'stopping: finishing work in flight (signal again to force)')
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'stopping took longer than the grace time: exiting now')
      exit(1)
    }, graceMs)
    timer.unref()
    options.stop().then(
      () => {
        clearTimeout(timer)
        logger.info('stopped')
        exit(0)
      },
      (error: unknown) => {
        clearTimeout(timer)
        logger.error({ err: error }, 'stopping failed')
        exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
