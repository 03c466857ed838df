/**
 * Waits until `cond` holds, polling every `everyMs`; fails after `ms` with what it waited for.
 * For states a test cannot be told about (another process, a broker); never for timing.
 */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string | (() => string),
  { ms = 10_000, everyMs = 10 }: { ms?: number; everyMs?: number } = {},
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
