/** Admin operations: `import { SharqAdmin } from 'sharq/admin'` (also re-exported by `sharq/server`). */

export { SharqAdmin, type SharqAdminOptions } from './admin.js';
export * as schemas from './api-schemas.js';
export { REDRIVE_HEADER } from './dlq-record.js';
export type { AdminOptionsInput } from './options.js';
