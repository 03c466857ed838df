/**
 * Writes the reference pages that are derived from code, so they cannot drift from it:
 *   docs/errors.md   from the error registry (src/errors/codes.ts), see errors-doc.ts
 *   docs/options.md  from the zod option schemas, see options-doc.ts
 * `npm run docs` rewrites them; unit tests fail when a committed page is out of date.
 */
import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from './docs/errors-doc.js';
import { renderOptionsDoc } from './docs/options-doc.js';

const root = new URL('../', import.meta.url);
const pages: [path: string, render: () => string][] = [
  ['docs/errors.md', renderErrorsDoc],
  ['docs/options.md', renderOptionsDoc],
];
for (const [path, render] of pages) {
  writeFileSync(new URL(path, root), render());
  process.stdout.write(`wrote ${path}\n`);
}
