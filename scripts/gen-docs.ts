/**
 * Writes the reference pages that are derived from code, so they cannot drift from it:
 *   docs/errors.md   from the error registry (src/errors/codes.ts)
 *   docs/options.md  from the zod option schemas (src/options/*), see options-doc.ts
 * `npm run docs` rewrites them; a unit test fails when a committed page is out of date.
 */
import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from './docs/errors-doc.js';

const root = new URL('../', import.meta.url);
writeFileSync(new URL('docs/errors.md', root), renderErrorsDoc());
process.stdout.write('wrote docs/errors.md\n');
