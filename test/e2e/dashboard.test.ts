import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import { UnrecoverableError } from '../../src/errors/control.js';
import { Queue } from '../../src/queue/queue.js';
import { type AdminServer, startAdminServer } from '../../src/server/admin/http-server.js';
import { registerWorkerMetrics } from '../../workers/metrics.js';
import { Worker } from '../../workers/worker.js';
import { tempDir } from '../helpers/temp-dir.js';
import { launch, noChromium, screenshot, signIn } from './browser.js';

/**
 * The dashboard in headless Chromium against a real admin server on the embedded engine, with
 * in-process Workers on the same engine: nothing mocked. Each test has its own queue.
 */
const ADMIN = `admin-${randomUUID()}`;
const READ = `read-${randomUUID()}`;

let engine: EmbeddedEngine;
let removeDir: () => Promise<void>;
let server: AdminServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
const registry = new Registry();
const closers: (() => Promise<void>)[] = [];

const queueName = () => `e2e-${randomUUID().slice(0, 8)}`;
const tile = (id: string) => page.locator(`[data-testid="${id}"] .value`);
const exactly = (n: number | string) => new RegExp(`^${n}$`);

describe.skipIf(noChromium !== null)('dashboard in a browser', () => {
  beforeAll(async () => {
    const t = await tempDir('sharq-e2e-');
    removeDir = t.remove;
    engine = new EmbeddedEngine({ dataDir: t.dir });
    await engine.start();
    server = await startAdminServer({
      engine,
      registry,
      port: 0,
      adminTokens: [ADMIN],
      readTokens: [READ],
      rateLimit: false,
      logger: { info: () => undefined, warn: () => undefined },
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.close();
    await removeDir?.();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    page = await context.newPage();
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await context.close();
    expect(pageErrors, 'errors thrown in the page').toEqual([]);
  });

  it("shows a queue's counts moving while a worker runs, and the worker", async () => {
    const name = queueName();
    const queue = new Queue<{ n: number }>(name, { engine });
    closers.push(() => queue.close());
    await queue.addBulk(Array.from({ length: 40 }, (_, n) => ({ name: 'resize', data: { n } })));

    await signIn(page, server.url, ADMIN);
    const row = page.locator(`tr[data-queue="${name}"]`);
    await row.locator('[data-testid="lag"]', { hasText: exactly(40) }).waitFor();
    await screenshot(page, 'overview-before-worker');
    await row.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await tile('count-lag')
      .filter({ hasText: exactly(40) })
      .waitFor();
    await tile('count-completed')
      .filter({ hasText: exactly(0) })
      .waitFor();
    expect(await page.getByTestId('worker').count()).toBe(0);

    // A worker that holds each job until the page has shown it connected.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const worker = new Worker<{ n: number }>(
      name,
      async (job) => {
        await gate;
        return job.data.n;
      },
      { engine, concurrency: 4 },
    );
    registerWorkerMetrics(worker, registry);
    closers.push(() => worker.close());
    await page.getByTestId('worker').first().waitFor();
    await tile('count-inflight')
      .filter({ hasText: /^[1-9]/ })
      .waitFor();
    await screenshot(page, 'queue-worker-connected');
    release();

    // The same page, not reloaded, follows the queue to empty.
    await tile('count-completed')
      .filter({ hasText: exactly(40) })
      .waitFor();
    await tile('count-lag')
      .filter({ hasText: exactly(0) })
      .waitFor();
    expect(await page.getByTestId('chart-durations').locator('rect.bar').count()).toBeGreaterThan(
      0,
    );
    await screenshot(page, 'queue-drained');
  });

  it('filters the DLQ, opens a record, redrives it after a dry run, and the job completes', async () => {
    const name = queueName();
    const queue = new Queue<{ user: string }>(name, { engine });
    closers.push(() => queue.close());
    const redrivenDone: string[] = [];
    let deadLettered = 0;
    // Until the test "fixes the bug", charges are declined and emails bounce.
    let fixed = false;
    const worker = new Worker<{ user: string }>(
      name,
      async (job) => {
        if (fixed) return 'ok';
        if (job.name === 'charge') throw new UnrecoverableError(`card declined: ${job.data.user}`);
        if (job.name === 'email') {
          const err = new Error('smtp unreachable');
          err.name = 'SmtpError';
          throw err;
        }
        return 'ok';
      },
      { engine, concurrency: 4, attempts: 1 },
    );
    closers.push(() => worker.close());
    const settled = new Promise<void>((resolve) => {
      worker.on('dead-lettered', () => {
        if (++deadLettered === 6) resolve();
      });
    });
    worker.on('completed', (job) => {
      if (fixed) redrivenDone.push(job.id);
    });
    await queue.addBulk([
      ...['ada', 'bob', 'cy'].map((user) => ({ name: 'charge', data: { user } })),
      ...['dee', 'eve', 'fay'].map((user) => ({ name: 'email', data: { user } })),
      ...['gus', 'hal'].map((user) => ({ name: 'report', data: { user } })),
    ]);
    await settled;

    await signIn(page, server.url, ADMIN);
    await page.goto(`${server.url}/dashboard/?poll=500#/queues/${name}/dlq`);
    const rows = page.getByTestId('dlq-row');
    await rows.nth(5).waitFor();
    expect(await rows.count()).toBe(6);

    await page.getByLabel('Job name').fill('charge');
    await page.getByLabel('Reason').selectOption('unrecoverable');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/jobName=charge/);
    expect(page.url()).toContain('reason=unrecoverable');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    for (const text of await rows.allInnerTexts()) expect(text).toContain('charge');
    await screenshot(page, 'dlq-filtered');

    // The filter survives a reload (it is in the URL).
    await page.reload();
    await rows.nth(2).waitFor();
    expect(await page.getByLabel('Job name').inputValue()).toBe('charge');

    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { name: /Dead-lettered job \d+:\d+/ }).waitFor();
    await page.getByTestId('payload').filter({ hasText: '"user"' }).waitFor();
    const jobId = (await page.locator('dt:text-is("Job id") + dd').first().textContent())?.trim();
    expect(await page.getByTestId('record-state').textContent()).toBe('pending');
    await screenshot(page, 'record-detail');

    await page.getByRole('button', { name: 'Redrive…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Dry run — nothing has been changed yet').waitFor();
    expect(await dialog.locator('dt:text-is("Would redrive") + dd').textContent()).toBe('1');
    await screenshot(page, 'redrive-dry-run');
    fixed = true;
    await dialog.getByRole('button', { name: 'Redrive', exact: true }).click();
    await dialog.getByText('Redrove 1 job(s)').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByTestId('record-state').filter({ hasText: 'redriven' }).waitFor();
    expect(await page.getByRole('button', { name: 'Redrive…' }).count()).toBe(0);
    await expect.poll(() => redrivenDone, { timeout: 20_000 }).toEqual([jobId]);
    // On the queue page: the redriven job is done and one fewer is dead-lettered.
    await page.getByRole('link', { name, exact: true }).click();
    await tile('count-completed')
      .filter({ hasText: exactly(9) })
      .waitFor();
    await tile('count-dlq')
      .filter({ hasText: exactly(5) })
      .waitFor();
    await screenshot(page, 'after-redrive');
  });

  it('a queue or DLQ record that does not exist is a not-found page, with no controls', async () => {
    const name = queueName();
    const queue = new Queue(name, { engine });
    closers.push(() => queue.close());
    await queue.ensureTopic();
    await signIn(page, server.url, ADMIN);
    for (const [hash, message] of [
      ['#/queues/no-such-queue', 'No queue "no-such-queue"'],
      [`#/queues/${name}/dlq/0:999`, '0:999'],
    ] as const) {
      await page.goto(`${server.url}/dashboard/?poll=500${hash}`);
      const panel = page.getByTestId('not-found');
      await panel.waitFor();
      expect(await panel.textContent(), hash).toContain(message);
      for (const label of ['Pause', 'Add job', 'Reset offsets', 'Redrive…', 'Discard…'])
        expect(await page.getByText(label, { exact: true }).count(), `${hash} ${label}`).toBe(0);
    }
    // The way back works.
    await page.getByRole('link', { name: 'All queues' }).click();
    await page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    // An empty queue's count chart reads 0 and 1, not 0 / 1 / 1.
    await page.goto(`${server.url}/dashboard/?poll=500#/queues/${name}`);
    const chart = page.locator('svg[aria-label^="Lag and DLQ"]');
    await chart.waitFor();
    const labels = await chart.locator('.grid text').allTextContents();
    expect(labels).toEqual(['0', '', '1']);
  });

  it('shows a read token no mutation controls', async () => {
    const name = queueName();
    const queue = new Queue<{ n: number }>(name, { engine });
    closers.push(() => queue.close());
    const worker = new Worker<{ n: number }>(
      name,
      async () => {
        throw new UnrecoverableError('nope');
      },
      { engine },
    );
    closers.push(() => worker.close());
    const dead = new Promise<void>((r) => worker.once('dead-lettered', () => r()));
    await queue.add('job', { n: 1 });
    await dead;

    await signIn(page, server.url, READ);
    expect(await page.getByTestId('role').textContent()).toBe('read-only');
    await page.goto(`${server.url}/dashboard/?poll=500#/queues/${name}`);
    await tile('count-dlq')
      .filter({ hasText: exactly(1) })
      .waitFor();
    for (const label of ['Pause', 'Resume', 'Add job', 'Reset offsets'])
      expect(await page.getByText(label, { exact: true }).count(), label).toBe(0);

    await page.goto(`${server.url}/dashboard/?poll=500#/queues/${name}/dlq`);
    await page.getByTestId('dlq-row').first().waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Redrive|Discard/ }).count()).toBe(0);
    await screenshot(page, 'read-only-dlq');

    await page.getByTestId('dlq-row').first().getByRole('link').click();
    await page.getByTestId('payload').waitFor();
    expect(await page.getByRole('button', { name: /Redrive|Discard/ }).count()).toBe(0);
  });
});
