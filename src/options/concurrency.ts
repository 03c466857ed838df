import { z } from 'zod';

/** Jobs one worker runs at once: the range of `concurrency` and of the elastic pool's bounds. */
export const concurrencySlots = z.number().int().min(1).max(10_000);
