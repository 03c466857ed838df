/**
 * Version ranges as Kafka's message JSON writes them: "0+" (0 and later), "3-5" (3 to 5
 * inclusive), "2" (only 2) and "none" (no version). The same strings appear in sharq's schema
 * tables, so a range can be read side by side with the Kafka file it came from.
 */

export interface VersionRange {
  readonly min: number;
  /** Infinity for an open range ("3+"). */
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = Object.freeze({ min: 0, max: -1 });

const cache = new Map<string, VersionRange>();

/** Parses "0+", "3-5", "2" or "none"; anything else is a definition bug and throws. */
export function parseVersions(spec: string): VersionRange {
  const hit = cache.get(spec);
  if (hit !== undefined) return hit;
  let range: VersionRange;
  const s = spec.trim();
  if (s === 'none') range = NO_VERSIONS;
  else if (/^\d+\+$/.test(s)) range = { min: Number(s.slice(0, -1)), max: Infinity };
  else if (/^\d+-\d+$/.test(s)) {
    const [a, b] = s.split('-').map(Number) as [number, number];
    if (b < a) throw new TypeError(`Version range "${spec}" ends before it starts`);
    range = { min: a, max: b };
  } else if (/^\d+$/.test(s)) range = { min: Number(s), max: Number(s) };
  else throw new TypeError(`Not a Kafka version range: "${spec}"`);
  range = Object.freeze(range);
  cache.set(spec, range);
  return range;
}

export function inVersions(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

/** The versions two ranges share (possibly none). */
export function intersectVersions(a: VersionRange, b: VersionRange): VersionRange {
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return max < min ? NO_VERSIONS : { min, max };
}

export function formatVersions(range: VersionRange): string {
  if (range.max < range.min) return 'none';
  if (range.max === Infinity) return `${range.min}+`;
  return range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`;
}
