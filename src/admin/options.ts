import { z } from 'zod';

/** Admin operations (`SharqAdmin`): what the admin API, the CLI and the dashboard act through. */
export const AdminOptions = z
  .object({
    maxRedrives: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe(
        'Times one job may be redriven from the DLQ (header `sharq.redrive.count`); past it a redrive is refused with SHARQ_ERR_REDRIVE_LIMIT. Default: 5.',
      ),
    redriveRatePerSec: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe(
        'Records per second a redrive puts back on a queue at most (a request may ask for less). Default: 1000.',
      ),
    redriveClaimTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3600 * 1000)
      .default(60_000)
      .describe(
        "How long a redrive's claim on a DLQ record (its ledger intent) holds off other redrives, in any process; past it the claim counts as its owner's crash and the next redrive takes it over, finding the copy in the queue or enqueueing one. A redrive that gets to enqueueing more than half of it after its claim stops instead (SHARQ_ERR_REDRIVE_CLAIM_EXPIRED). Keep it well above a produce's worst time and the clock skew between admin processes. Default: 60000.",
      ),
    previewBytes: z
      .number()
      .int()
      .min(64)
      .max(16 * 1024 * 1024)
      .default(64 * 1024)
      .describe('Bytes of a DLQ record value shown in its detail. Default: 64 KiB.'),
    scanLimit: z
      .number()
      .int()
      .min(100)
      .max(10_000_000)
      .default(20_000)
      .describe(
        'DLQ records one list request reads at most to fill a page through a filter; the page then ends early with a cursor. Default: 20000.',
      ),
    retryingScanLimit: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(200)
      .describe(
        'Pending records per partition a queue detail reads to count jobs on a retry (so the count is approximate past it). Default: 200.',
      ),
  })
  .strict();
export type AdminOptionsInput = z.input<typeof AdminOptions>;
export type AdminConfig = z.output<typeof AdminOptions>;
