import { ERROR_CODES } from '../../src/errors/codes.js';

const INTRO = `# Error reference

Every error sharq throws is a \`SharqError\` with one of these codes (\`err.code\`), a \`retryable\` flag, \`details\` and, where there is one, the underlying \`cause\`. Test for a code with \`SharqError.is(err, "SHARQ_ERR_...")\`.

This page is generated from \`src/errors/codes.ts\` by \`npm run docs\`.
`;

export function renderErrorsDoc(): string {
  const sections = Object.entries(ERROR_CODES).map(
    ([code, { retryable, doc }]) =>
      `## ${code}\n\nRetryable: ${retryable ? 'yes' : 'no'}.\n\n${doc}\n`,
  );
  return `${INTRO}\n${sections.join('\n')}`;
}
