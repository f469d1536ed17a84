/**
 * Contexts still open, closed when the event loop runs dry: Python finalizes
 * its managers and queues at exit, flushing what they hold. One `beforeExit`
 * listener serves every context, and it is removed with the last of them.
 */
const open = new Set<() => Promise<void>>()

function closeAll(): void {
  // Closing writes what is pending (puts, acks) and gives back what is held;
  // its commands keep the loop alive until they are answered, then it ends.
  for (const close of [...open]) void close()
}

/**
 * Calls `close` on `beforeExit` if it has not run by then; the result
 * unregisters it, as `close` must when it runs. `close` handles its own
 * failures: nothing is left to report them to.
 */
export function closeAtExit(close: () => Promise<void>): () => void {
  open.add(close)
  if (open.size === 1) process.on('beforeExit', closeAll)
  return () => {
    if (!open.delete(close)) return
    if (open.size === 0) process.off('beforeExit', closeAll)
  }
}
