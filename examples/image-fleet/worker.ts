/**
 * One process of the image fleet: `sharq worker examples/image-fleet/worker.ts --brokers ...`
 * runs this module as a member of the queue's share group (run.ts starts four of them).
 *
 * The handler stands in for a resize: 10–20 ms of work, then the thumbnail's dimensions (the
 * image fitted into 256×256). Each process appends `<pid> <job id> <width>x<height>` to the
 * results file once an image is done, so the runner can tell which process did what.
 *
 * Environment:
 *   IMAGE_QUEUE     queue to work on (default `images`)
 *   IMAGE_RESULTS   file to append results to (default: none)
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineWorker } from 'sharq';

export interface Image {
  url: string;
  width: number;
  height: number;
}
export interface Thumbnail {
  width: number;
  height: number;
}

const BOX = 256;
const results = process.env.IMAGE_RESULTS;

export default defineWorker<Image, Thumbnail>({
  queue: process.env.IMAGE_QUEUE ?? 'images',
  options: { concurrency: 4 },
  // The signal fires when a shutdown deadline passes: the sleep stops and the attempt fails,
  // so the image is released to another process rather than lost.
  handler: async (job, signal) => {
    await sleep(10 + Math.random() * 10, undefined, { signal });
    const scale = Math.min(1, BOX / Math.max(job.data.width, job.data.height));
    const thumbnail = {
      width: Math.round(job.data.width * scale),
      height: Math.round(job.data.height * scale),
    };
    if (results !== undefined)
      appendFileSync(results, `${process.pid} ${job.id} ${thumbnail.width}x${thumbnail.height}\n`);
    return thumbnail;
  },
});
