import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds the dashboard bundle (dist/dashboard) the admin server serves, as `npm run build` does. */
export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build-dashboard.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
