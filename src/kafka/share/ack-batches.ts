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
  const sorted = inOffsetOrder(acks) ? acks : [...acks].sort((a, b) => a.offset - b.offset);
  const out: WireAckBatch[] = [];
  // A run of consecutive offsets [from, i) of `sorted`; `mixed` once its types differ.
  let from = 0;
  let mixed = false;
  for (let i = 1; i <= sorted.length; i++) {
    const a = sorted[i];
    const prev = sorted[i - 1]!;
    if (a !== undefined && a.offset === prev.offset + 1) {
      if (a.type !== prev.type) mixed = true;
      continue;
    }
    out.push({
      firstOffset: sorted[from]!.offset,
      lastOffset: prev.offset,
      acknowledgeTypes: mixed ? sorted.slice(from, i).map((x) => x.type) : [sorted[from]!.type],
    });
    from = i;
    mixed = false;
  }
  return out;
}

function inOffsetOrder(acks: readonly { offset: number }[]): boolean {
  for (let i = 1; i < acks.length; i++) if (acks[i]!.offset <= acks[i - 1]!.offset) return false;
  return true;
}
