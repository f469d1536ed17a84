import { isRedprocError } from '../errors.js'

/** What `for await (const item of q)` runs: get after get, ending once the queue is shut down and drained. */
export async function* itemsUntilShutdown<T>(
  get: () => Promise<T>,
): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let item: T
    try {
      item = await get()
    } catch (error) {
      if (isRedprocError(error, 'SHUTDOWN')) return
      throw error
    }
    yield item
  }
}
