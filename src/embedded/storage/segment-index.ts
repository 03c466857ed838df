/**
 * In-memory index of one log segment, rebuilt by the recovery scan and extended on append.
 * Everything is relative to the segment: record i has offset `baseOffset + i`.
 *
 * Memory per record is 4 bytes (its frame's file position: the records of a batch frame, see
 * batch-frame.ts, share one). Batch ends cost 4 bytes per producer batch.
 * Timestamps are not kept per record: `offsetForTimestamp` asks for the first record whose
 * timestamp is >= t, which is the first record where the running maximum reaches t, and the
 * running maximum only needs storing where it changes (roughly once per millisecond of traffic).
 */

class GrowableU32 {
  data = new Uint32Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i]!;
  }

  /** First index whose value is > `value` (values ascending), or `length`. */
  upperBound(value: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose value is >= `value` (values ascending), or `length`. */
  lowerBound(value: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class SegmentIndex {
  private readonly starts = new GrowableU32();
  private readonly batchEnds = new GrowableU32();
  private readonly maxTsAt = new GrowableU32();
  private maxTsValues = new Float64Array(16);
  private endPosition = 0;
  private runningMax = Number.NEGATIVE_INFINITY;

  /** Records in the segment (including ones appended but not yet durable). */
  get count(): number {
    return this.starts.length;
  }

  /** End of the last record's frame: the segment's assigned size. */
  get end(): number {
    return this.endPosition;
  }

  /** Largest timestamp in the segment, -Infinity when empty. */
  get maxTimestamp(): number {
    return this.runningMax;
  }

  /** Relative index of the last batch-end record, or -1. */
  get lastBatchEnd(): number {
    return this.batchEnds.length === 0 ? -1 : this.batchEnds.at(this.batchEnds.length - 1);
  }

  add(start: number, frameBytes: number, timestamp: number, batchEnd: boolean): void {
    const i = this.starts.length;
    this.starts.push(start);
    this.endPosition = start + frameBytes;
    if (batchEnd) this.batchEnds.push(i);
    if (timestamp > this.runningMax) {
      this.runningMax = timestamp;
      const n = this.maxTsAt.length;
      this.maxTsAt.push(i);
      if (n === this.maxTsValues.length) {
        const bigger = new Float64Array(n * 2);
        bigger.set(this.maxTsValues);
        this.maxTsValues = bigger;
      }
      this.maxTsValues[n] = timestamp;
    }
  }

  /** Forgets records from relative index `count` on (recovery drops a half-written batch). */
  truncate(count: number): void {
    if (count >= this.starts.length) return;
    this.endPosition = count === 0 ? 0 : this.starts.at(count);
    this.starts.length = count;
    this.batchEnds.length = this.batchEnds.lowerBound(count);
    this.maxTsAt.length = this.maxTsAt.lowerBound(count);
    const n = this.maxTsAt.length;
    this.runningMax = n === 0 ? Number.NEGATIVE_INFINITY : this.maxTsValues[n - 1]!;
  }

  /** File position of the frame that holds record `i`; `count` gives the end of the last one. */
  position(i: number): number {
    return i >= this.starts.length ? this.endPosition : this.starts.at(i);
  }

  /**
   * File position just after the frame that holds record `to - 1`: where reading records
   * [from, to) ends. The same as `position(to)` unless `to` falls inside a batch frame.
   */
  endOf(to: number): number {
    if (to <= 0) return this.position(0);
    if (to >= this.starts.length) return this.endPosition;
    const last = this.starts.at(to - 1);
    if (this.starts.at(to) !== last) return this.starts.at(to);
    const next = this.starts.upperBound(last);
    return next < this.starts.length ? this.starts.at(next) : this.endPosition;
  }

  /** Relative index of the first batch end at or after record `i`, or -1. */
  batchEndFrom(i: number): number {
    const k = this.batchEnds.lowerBound(i);
    return k < this.batchEnds.length ? this.batchEnds.at(k) : -1;
  }

  /** Relative index of the first record with timestamp >= `ts`, or -1. */
  firstAtOrAfter(ts: number): number {
    let lo = 0;
    let hi = this.maxTsAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maxTsValues[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.maxTsAt.length ? this.maxTsAt.at(lo) : -1;
  }

  /**
   * Largest `to` in (from, limit] whose frames for records [from, to) fit in `maxBytes`, but at
   * least the records of the first frame when `atLeastOne` (so one oversized frame cannot stall a
   * reader), else `from` when even one record does not fit.
   */
  fitBytes(from: number, limit: number, maxBytes: number, atLeastOne: boolean): number {
    const base = this.position(from);
    let lo = from;
    let hi = limit;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.endOf(mid) - base <= maxBytes) lo = mid;
      else hi = mid - 1;
    }
    if (lo > from || !atLeastOne || limit <= from) return lo;
    // Not even the first frame fits: all of it, since it is read whole anyway (one record for a
    // record frame; the rest of a batch frame, as Kafka hands out its first batch whole).
    return Math.min(limit, this.starts.upperBound(this.starts.at(from)));
  }
}
