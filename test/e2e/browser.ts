import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (.ci/run installs it),
 * or CHROMIUM_PATH. Without one the suites skip with this reason.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const noChromium = existsSync(CHROMIUM)
  ? null
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (noChromium !== null) console.warn(`e2e: skipped: ${noChromium}`);

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Containers run as root without user namespaces.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Opens the dashboard and signs in with `token`; resolves once the queue list shows. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  // A short poll interval keeps the tests quick; the default is 2 s.
  await page.goto(`${url}/dashboard/?poll=500`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByRole('heading', { name: 'Queues' }).waitFor();
}
