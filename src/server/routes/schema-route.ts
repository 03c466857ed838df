import type { ApiSchema } from '../../kafka/protocol/schema/api.js';
import type { Fields, InputOf, ValueOf } from '../../kafka/protocol/schema/dsl.js';
import { Writer } from '../../kafka/protocol/writer.js';
import type { ApiRoute, RequestContext } from '../connection.js';

/**
 * An `ApiRoute` from an API's schema and a handler of decoded values: the request is decoded
 * and the response encoded by the one table that also serves sharq's client, at the version
 * the client asked for. A handler that returns null sends no response (Produce with acks=0).
 */
export function schemaRoute<Req extends Fields, Res extends Fields>(
  api: ApiSchema<Req, Res>,
  handler: (
    request: ValueOf<Req>,
    version: number,
    ctx: RequestContext,
  ) => Promise<InputOf<Res> | null> | InputOf<Res> | null,
  options: { special?: 'api-versions' } = {},
): ApiRoute {
  let flexibleFrom = api.maxVersion + 1;
  for (let v = api.minVersion; v <= api.maxVersion; v++) {
    if (api.request.isFlexible(v)) {
      flexibleFrom = v;
      break;
    }
  }
  return {
    apiKey: api.apiKey,
    name: api.name,
    minVersion: api.minVersion,
    maxVersion: api.maxVersion,
    flexibleFrom,
    ...(options.special === undefined ? {} : { special: options.special }),
    async handle(version, body, ctx) {
      const request = api.request.decode(version, body);
      const response = await handler(request, version, ctx);
      if (response === null) return null;
      const w = new Writer(256);
      api.response.encode(version, w, response);
      return w.toBuffer();
    },
  };
}
