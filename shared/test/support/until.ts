/**
 * Waits until `check` holds, looking every 10 ms: how a test waits for a state
 * nothing announces (a waiter listed in Redis, a connection blocked), never a
 * fixed sleep. Fails after `timeoutMs`, saying what it waited for.
 */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
