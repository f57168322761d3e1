/**
 * Retries an assertion until it passes or the time is up, then throws its last error. Async flows
 * are asserted with this, never with fixed sleeps.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Resolves when `read()` has returned the same value for `quietMs` (e.g. no more messages arrive). */
export async function waitForQuiescence<T>(
  read: () => T | Promise<T>,
  quietMs = 500,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await read());
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = JSON.stringify(await read());
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return read();
  }
  throw new Error(`value kept changing for ${timeoutMs} ms`);
}
