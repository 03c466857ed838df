import { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import type { ApiSchema } from '../../../../src/kafka/protocol/schema/api.js';
import type { Fields, InputOf, ValueOf } from '../../../../src/kafka/protocol/schema/dsl.js';
import { Writer } from '../../../../src/kafka/protocol/writer.js';
import { ProducerRegistry } from '../../../../src/server/broker/producers.js';
import type { ApiRoute, RequestContext } from '../../../../src/server/connection.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { TopicIds } from '../../../../src/server/topic-ids.js';
import { tempDir } from '../../../helpers/temp-dir.js';

/** A real embedded engine in a temp dir and the context routes get. */
export async function brokerHarness(): Promise<{
  engine: EmbeddedEngine;
  ctx: BrokerContext;
  close: () => Promise<void>;
}> {
  const t = await tempDir('sharq-routes-');
  const engine = new EmbeddedEngine({ dataDir: t.dir, fsync: 'never' });
  await engine.start();
  const ctx: BrokerContext = {
    engine,
    topicIds: new TopicIds(),
    producers: new ProducerRegistry(Date.now()),
    node: { nodeId: 1, host: '127.0.0.1', port: 19092 },
    clusterId: 'sharq-test',
    defaultPartitions: 3,
    log: { info: () => undefined, warn: () => undefined },
  };
  return {
    engine,
    ctx,
    close: async () => {
      await engine.close();
      await t.remove();
    },
  };
}

export function routeOf(routes: readonly ApiRoute[], api: ApiSchema): ApiRoute {
  const r = routes.find((x) => x.apiKey === api.apiKey);
  if (r === undefined) throw new Error(`no route for ${api.name}`);
  return r;
}

const requestContext = (apiKey: number, apiVersion: number): RequestContext => ({
  header: { apiKey, apiVersion, correlationId: 1, clientId: 'test' },
  connectionId: 1,
  remoteAddress: '127.0.0.1:1',
  signal: new AbortController().signal,
  pipeline: () => undefined,
});

/** Encodes the request with the schema, runs the route, decodes its answer (null: none sent). */
export async function call<Req extends Fields, Res extends Fields>(
  routes: readonly ApiRoute[],
  api: ApiSchema<Req, Res>,
  version: number,
  request: InputOf<Req>,
): Promise<ValueOf<Res>> {
  const res = await callRaw(routes, api, version, request);
  if (res === null) throw new Error(`${api.name} v${version} sent no response`);
  return res;
}

export async function callRaw<Req extends Fields, Res extends Fields>(
  routes: readonly ApiRoute[],
  api: ApiSchema<Req, Res>,
  version: number,
  request: InputOf<Req>,
): Promise<ValueOf<Res> | null> {
  const w = new Writer(64);
  api.request.encode(version, w, request);
  const out = await routeOf(routes, api).handle(
    version,
    new Reader(w.toBuffer(), 0, 'test request'),
    requestContext(api.apiKey, version),
  );
  if (out === null) return null;
  const r = new Reader(out, 0, `${api.name} v${version} response`);
  const value = api.response.decode(version, r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes after the ${api.name} response`);
  return value;
}

/** Every version of an API, oldest first. */
export function versionsOf(api: ApiSchema): number[] {
  return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
}
