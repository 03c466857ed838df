import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { AckType, type AcquiredRecord } from '../../../src/engine/types.js';
import { KafkaEngine } from '../../../src/kafka/kafka-engine.js';
import { brokerRoutes } from '../../../src/server/routes/index.js';
import { SharqServer } from '../../../src/server/server.js';
import { checkLog, DurabilityModel, drain } from '../../helpers/durability-model.js';
import { POWER_LOSS_ROOT, PowerLossMachine, Random } from '../../helpers/power-loss-fs.js';

/**
 * Power loss under `sharq server`: the server (its embedded engine over the simulated machine
 * of test/helpers/power-loss-fs.ts) serves a client on the Kafka engine, which adds jobs, takes
 * them through a share group and ACCEPTs or RELEASEs them, until the power goes at a random
 * file-system call. The machine's network goes with its power: the client reaches the server
 * through a proxy that drops every connection, and any reply not yet passed on, at the cut, so
 * no reply can come from a machine that is off (the server's in-memory state lives on after the
 * cut in this process: its idempotent-producer table would otherwise confirm a retried batch
 * without any disk behind it). A fresh server then recovers the directory and
 * the client's promises are checked as in test/unit/embedded/power-loss.test.ts (with
 * `ackFsync: "always"`, so nothing confirmed may be lost).
 */

const DATA_DIR = `${POWER_LOSS_ROOT}/server`;
const TOPIC = 'jobs';
const GROUP = 'g';
const DELIVERY_LIMIT = 5;
const TRIALS = 12;
const CONTROL_TRIALS = 6;
const quiet = { info: () => undefined, warn: () => undefined };
/** Linux routes all of 127/8 to loopback; elsewhere only 127.0.0.1 may be bound. */
const PROXY_HOST = '127.0.0.2';

/**
 * A TCP proxy from 127.0.0.2:`port` to 127.0.0.1:`port` that can be cut: every socket
 * destroyed, no new connection taken. The server advertises 127.0.0.2 (Metadata), so every
 * connection a client makes, not only the bootstrap one, goes through it.
 */
async function cuttableProxy(port: number): Promise<{ cut: () => void }> {
  const sockets = new Set<net.Socket>();
  let up = true;
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    // Passed on by hand, checking the power, so a reply written after the cut is dropped.
    upstream.on('data', (d) => up && client.write(d));
    client.on('data', (d) => up && upstream.write(d));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, PROXY_HOST, resolve);
  });
  return {
    cut: () => {
      up = false;
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * Client calls still retrying against the machine that is off (the Kafka engine retries a
 * produce for up to 30 seconds until it is closed): awaited once, after all trials, rather than
 * per trial.
 */
const retrying: Promise<void>[] = [];

async function trial(seed: number, fsync: 'always' | 'never'): Promise<string[]> {
  const rnd = new Random(seed);
  const machine = new PowerLossMachine(rnd);
  const model = new DurabilityModel(true, DELIVERY_LIMIT);
  const engineOptions = {
    dataDir: DATA_DIR,
    fsync,
    ackFsync: 'always' as const,
    segmentBytes: 4096,
  };

  const server = new SharqServer(
    {
      port: 0,
      host: '127.0.0.1',
      advertisedHost: PROXY_HOST,
      engine: engineOptions,
      logger: quiet,
    },
    brokerRoutes,
    { fs: machine.boot() },
  );
  server.engine.onError(() => undefined);
  const { port } = await server.start();
  await server.engine.admin.ensureTopic(TOPIC, { partitions: 2 });
  await server.engine.admin.configureGroup(GROUP, {
    autoOffsetReset: 'earliest',
    deliveryCountLimit: DELIVERY_LIMIT,
  });
  const proxy = await cuttableProxy(port);
  machine.onCut(proxy.cut);
  // This boot's power: the machine is booted again for recovery while late calls still settle.
  let on = true;
  const poweredOff = new Promise<void>((resolve) =>
    machine.onCut(() => {
      on = false;
      resolve();
    }),
  );
  const client = new KafkaEngine({
    brokers: [`${PROXY_HOST}:${port}`],
    clientId: `power-loss-${seed}`,
    connectionTimeoutMs: 500,
    requestTimeoutMs: 2000,
  });
  await client.start();
  const consumer = client.createShareConsumer({ groupId: GROUP, topics: [TOPIC] });
  // The power goes somewhere in the next stretch of the server's file-system calls.
  machine.cutAt(machine.callCount + rnd.int(1, 400));

  let next = 0;
  const produce = async (): Promise<void> => {
    const batch = Array.from({ length: rnd.int(1, 5) }, () => `job-${seed}-${next++}`);
    for (const id of batch) model.attempted.add(id);
    const positions = await client.produce(
      TOPIC,
      batch.map((id) => ({ key: Buffer.from(id), value: Buffer.from(id), headers: { id } })),
    );
    // A reply the proxy passed on left the machine before the power went.
    for (const [i, at] of positions.entries()) model.addResolved(batch[i]!, at);
  };
  const consume = async (): Promise<void> => {
    const records: AcquiredRecord[] = await consumer.poll({ maxRecords: 8, maxWaitMs: 20 });
    for (const r of records) model.delivered(r.value?.toString() ?? '', r.deliveryCount, `${seed}`);
    if (records.length === 0) return;
    const acks = records.map((record) => ({
      record,
      type: rnd.chance(0.7) ? AckType.Accept : AckType.Release,
    }));
    const result = await consumer.acknowledge(acks);
    const refused = new Set(result.failed.map((f) => f.ack));
    for (const ack of acks) {
      if (ack.type === AckType.Accept && !refused.has(ack)) {
        model.finished(ack.record.value?.toString() ?? '');
      }
    }
  };

  const producers = Array.from({ length: 3 }, async () => {
    while (on) await produce();
  });
  const consuming = (async () => {
    while (on) await consume();
  })();
  const loops = [...producers, consuming].map((loop) =>
    loop.catch((err: unknown) => {
      if (on) model.fail(`seed ${seed}: failed while powered: ${String(err)}`);
    }),
  );
  await poweredOff;
  // Closing the client ends its retries against a machine that is off.
  await Promise.allSettled([consumer.close(), client.close()]);
  retrying.push(...loops);
  await server.close(0).catch(() => undefined);

  // Power on: a fresh server recovers the directory; check it through its engine.
  const again = new SharqServer(
    { port: 0, host: '127.0.0.1', engine: engineOptions, logger: quiet },
    brokerRoutes,
    { fs: machine.boot() },
  );
  again.engine.onError(() => undefined);
  await again.start();
  try {
    await checkLog(again.engine, TOPIC, model, `seed ${seed}`);
    await drain(again.engine, TOPIC, GROUP, model, `seed ${seed}`);
  } catch (err) {
    model.fail(`seed ${seed}: ${String(err)}`);
  } finally {
    await again.close(0);
  }
  expect(model.added.size, `seed ${seed}: adds confirmed before the cut`).toBeGreaterThan(0);
  return model.violations;
}

describe.skipIf(process.platform !== 'linux')(
  'sharq server under power loss (Linux: needs 127.0.0.2)',
  () => {
    it('keeps every add and acknowledgement a Kafka client saw confirmed; fsync "never" does not', async () => {
      const violations: string[] = [];
      for (let seed = 1; seed <= TRIALS; seed++) violations.push(...(await trial(seed, 'always')));
      // The control: the same trials without fsync must break the same checks.
      let broken = 0;
      for (let seed = 1; seed <= CONTROL_TRIALS; seed++) {
        if ((await trial(seed, 'never')).length > 0) broken++;
      }
      await Promise.all(retrying.splice(0));
      expect(violations).toEqual([]);
      expect(broken).toBeGreaterThan(CONTROL_TRIALS / 2);
    }, 120_000);
  },
);
