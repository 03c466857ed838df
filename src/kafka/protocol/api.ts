import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/**
 * One version of one Kafka API: how to write its request body and read its response body.
 * The connection writes the request header (v2 for flexible versions, v1 otherwise) and reads
 * the response header (v1 for flexible versions, v0 otherwise; ApiVersions always answers with
 * v0) around them. Each API lives in its own file, `apis/<name>-v<N>.ts`, with its wire grammar
 * quoted at the top.
 */
export interface ApiDef<Req, Res> {
  readonly name: string;
  readonly apiKey: number;
  readonly version: number;
  /** Flexible versions use compact types and tagged fields (KIP-482). */
  readonly flexible: boolean;
  /** ApiVersions answers with response header v0 even when its body is flexible. */
  readonly responseHeaderV0?: boolean;
  encode(w: Writer, req: Req): void;
  decode(r: Reader): Res;
}
