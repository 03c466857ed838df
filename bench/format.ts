/** Number formatting shared by the benches' tables. */

/** A rate rounded, with thousands separators, right-aligned in 10 columns; '-' when missing. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-'.padStart(10);
  return Math.round(n).toLocaleString('en-US').padStart(10);
}

/** a / b to two decimals, or '-' when either is missing. */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '-';
}
