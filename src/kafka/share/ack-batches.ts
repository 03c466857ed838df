/**
 * Acknowledgements as ShareFetch / ShareAcknowledge carry them: per partition, ascending
 * non-overlapping batches `{FirstOffset, LastOffset, AcknowledgeTypes}` where AcknowledgeTypes
 * holds one type for the whole range or one per offset (KIP-932).
 */
export interface WireAckBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
}

/** Builds wire batches from (offset, type) pairs; offsets must be distinct. */
export function toWireBatches(acks: readonly { offset: number; type: number }[]): WireAckBatch[] {
  const sorted = [...acks].sort((a, b) => a.offset - b.offset);
  const out: WireAckBatch[] = [];
  let cur: { first: number; last: number; types: number[] } | undefined;
  for (const a of sorted) {
    if (cur !== undefined && a.offset === cur.last + 1) {
      cur.last = a.offset;
      cur.types.push(a.type);
      continue;
    }
    if (cur !== undefined) out.push(finish(cur));
    cur = { first: a.offset, last: a.offset, types: [a.type] };
  }
  if (cur !== undefined) out.push(finish(cur));
  return out;
}

function finish(b: { first: number; last: number; types: number[] }): WireAckBatch {
  const same = b.types.every((t) => t === b.types[0]);
  return {
    firstOffset: b.first,
    lastOffset: b.last,
    acknowledgeTypes: same ? [b.types[0]!] : b.types,
  };
}
