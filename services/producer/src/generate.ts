import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@redproc/service-kit'
import type { CallJob, Context } from '@redproc/shared'
import type { GenerateConfig } from './config.js'

/**
 * The seed's random producer: sleep random() (scaled), put `double(wt)`, and
 * after a draw above 0.9 put a `null` sentinel and stop; then, as the seed's
 * main does, join the queue: every job done by the consumers.
 */
export async function generate(
  mp: Context,
  config: GenerateConfig,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const queue = mp.joinableQueue<CallJob | null>(config.queue)
  try {
    let put = 0
    for (;;) {
      const wt = Math.random()
      await sleep(wt * config.sleepScaleMs, undefined, { signal })
      const id = await queue.putJob({ task: 'double', args: [wt] })
      put++
      logger.debug({ id, wt }, 'put double')
      if (wt > 0.9) {
        await queue.put(null)
        logger.info({ put }, 'stop producer')
        break
      }
    }
    await queue.join({ signal })
    logger.info({ put }, 'every job is done')
  } finally {
    await queue.close()
  }
}
