import { failed } from './protocol.js'

/**
 * What every queue consumer of the benchmark does: `concurrency` loops, each
 * taking one item after another and counting it. `end` wakes the loops' waits
 * (closing their handle or connection); the loops then see they are stopping.
 */
export function consumerLoops(
  concurrency: number,
  takeOne: () => Promise<void>,
  end: () => Promise<void> | void,
) {
  let stopping = false
  const loop = async () => {
    while (!stopping) {
      try {
        await takeOne()
      } catch (error) {
        if (stopping) return
        throw error
      }
    }
  }
  const loops = Array.from({ length: concurrency }, () => loop().catch(failed))
  return {
    async stop() {
      stopping = true
      await end()
      await Promise.all(loops)
    },
  }
}
