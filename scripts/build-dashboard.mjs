// Builds the dashboard (dashboard/) into dist/dashboard/: one ES module bundled by esbuild from
// dashboard/src/main.ts, plus the static index.html, app.css and favicon. Run by `npm run build`.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, process.argv[2] ?? 'dist/dashboard');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'dashboard/src/main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css', 'favicon.svg'])
  await copyFile(join(root, 'dashboard', f), join(out, f));
