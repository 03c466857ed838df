import { Gauge, type Registry } from 'prom-client';
import type { SharqAdmin } from '../../admin/admin.js';
import type { QueueSummary } from '../../admin/api-schemas.js';

/**
 * Engine-side gauges, read through the admin operations when Prometheus scrapes (at most once
 * per `cacheMs`, so a scrape every second does not turn into a stream of admin calls):
 *
 *   sharq_queue_lag{queue}             records not yet terminal from the group's start offset
 *   sharq_queue_available{queue}       ready to run (embedded engine and sharq server only)
 *   sharq_queue_in_flight{queue}       acquired by a worker now (embedded engine and sharq server)
 *   sharq_queue_delayed{queue}         waiting in a delay tier
 *   sharq_queue_dead_letter_pending{queue}  DLQ records neither redriven nor discarded
 *   sharq_queue_paused{queue}          1 while paused
 *   sharq_queue_members{queue}         share-group members (worker consumers)
 *
 * Worker-side counters and histograms (processed, failed, ...) come from workers/metrics.ts in
 * the processes that run the workers.
 */
export function registerEngineMetrics(admin: SharqAdmin, registry: Registry, cacheMs = 2000): void {
  let cached: { at: number; queues: Promise<QueueSummary[]> } | undefined;
  const queues = () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > cacheMs) {
      const p = admin.listQueues();
      cached = { at: now, queues: p };
      p.catch(() => {
        cached = undefined;
      });
    }
    return cached.queues;
  };
  const gauge = (name: string, help: string, value: (q: QueueSummary) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const q of await queues()) {
          const v = value(q);
          if (v !== null) this.set({ queue: q.name }, v);
        }
      },
    });
  gauge(
    'sharq_queue_lag',
    'Records of the queue not yet acknowledged or archived',
    (q) => q.counts.lag,
  );
  gauge(
    'sharq_queue_available',
    'Jobs ready to run (engines that report it)',
    (q) => q.counts.available,
  );
  gauge(
    'sharq_queue_in_flight',
    'Jobs acquired by a worker now (engines that report it)',
    (q) => q.counts.inFlight,
  );
  gauge('sharq_queue_delayed', 'Jobs waiting in a delay tier', (q) => q.counts.delayed);
  gauge(
    'sharq_queue_dead_letter_pending',
    'DLQ records neither redriven nor discarded',
    (q) => q.counts.deadLettered,
  );
  gauge('sharq_queue_paused', '1 while the queue is paused', (q) => (q.paused ? 1 : 0));
  gauge('sharq_queue_members', 'Members of the queue share group', (q) => q.members);
}
