import { expectEventually } from '@plantbridge/testing';

/** Retries `check` until it returns true; throws `what` when time is up. Usable outside jest. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  await expectEventually(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeoutMs, intervalMs: 200 },
  );
}
