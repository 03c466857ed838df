/**
 * Reads a zod 4 schema back into documentation rows, so a reference page shows exactly what the
 * schema accepts: one row per option (nested objects as `a.b`), with its type, its default, its
 * range or allowed values and its description. Everything comes from the schema's own
 * definition (`_zod.def`: wrappers, checks, shapes, options) and from `z.globalRegistry`, where
 * `.describe()` and `.meta()` put descriptions; nothing here is typed a second time.
 *
 *   optional / default / prefault / nullable / readonly / catch   peeled off, the outermost
 *                                                                 description and default kept
 *   number, string, array                                         checks → range
 *   enum, literal                                                 → allowed values
 *   object                                                        one row per field, `a.b`
 *   union                                                         member types joined, the fields
 *                                                                 of object members merged
 *   record                                                        key and value rules
 *   pipe (transform, coerce)                                      the input type, the first
 *                                                                 side's range that has one
 *   custom, refine                                                the message it fails with
 *
 * A schema in `links` is documented in its own table: a field holding it gets one row that
 * points there instead of repeating its fields.
 */
import { z } from 'zod';

export interface OptionRow {
  /** Dotted path from the surface root; '' for the root of a surface that is not an object. */
  path: string;
  type: string;
  /** Rendered default, `required`, or '' for an optional option without one. */
  default: string;
  range: string;
  meaning: string;
}

export interface SchemaRows {
  rows: OptionRow[];
  /** Messages of refinements on the surface root (rules that span several options). */
  rules: string[];
  /** Paths at which a linked schema was met, by its link target. */
  linked: Map<string, string[]>;
}

type Schema = z.core.$ZodType;

/** The check definitions the walker reads; others are ignored. */
type CheckDef =
  | z.core.$ZodCheckLessThanDef
  | z.core.$ZodCheckGreaterThanDef
  | z.core.$ZodCheckMultipleOfDef
  | z.core.$ZodCheckNumberFormatDef
  | z.core.$ZodCheckMinLengthDef
  | z.core.$ZodCheckMaxLengthDef
  | z.core.$ZodCheckLengthEqualsDef
  | z.core.$ZodCheckStringFormatDef
  | z.core.$ZodCustomDef;

/** What a value schema says about itself, without its wrappers. */
interface ValueInfo {
  type: string;
  range: string[];
  /** Fields shown as their own rows under this one. */
  children: [name: string, schema: Schema][];
  /** Refinement messages of an object. */
  rules: string[];
}

/** Rows of a whole surface. `links` maps schemas with their own table to a markdown link. */
export function schemaRows(root: Schema, links: ReadonlyMap<Schema, string>): SchemaRows {
  const rows = new Map<string, OptionRow>();
  const linked = new Map<string, string[]>();
  const walk = (schema: Schema, path: string, isRoot: boolean): string[] => {
    const peeled = peel(schema);
    const link = isRoot ? undefined : links.get(peeled.inner);
    const value = describeValue(peeled.inner);
    if (link !== undefined) {
      const at = linked.get(link) ?? [];
      at.push(path);
      linked.set(link, at);
    }
    const showRow = !isRoot || value.children.length === 0 || value.type !== 'object';
    if (showRow) {
      const range = link !== undefined ? [`see ${link}`] : [...value.range, ...value.rules];
      addRow(rows, {
        path,
        type: value.type,
        default: peeled.hasDefault
          ? formatDefault(peeled.defaultValue, path)
          : peeled.optional || isRoot
            ? ''
            : 'required',
        range: withUnits(range.join('; '), path),
        meaning: peeled.description ?? '',
      });
    }
    if (link === undefined) {
      for (const [name, child] of value.children)
        walk(child, path === '' ? name : `${path}.${name}`, false);
    }
    return isRoot ? value.rules : [];
  };
  const rules = walk(root, '', true);
  return { rows: [...rows.values()], rules, linked };
}

/** Two union members with a field of one name (a discriminated union's tag): one row for both. */
function addRow(rows: Map<string, OptionRow>, row: OptionRow): void {
  const had = rows.get(row.path);
  if (had === undefined) {
    rows.set(row.path, row);
    return;
  }
  had.type = joinDistinct([had.type, row.type], ' or ');
  had.range = joinDistinct([had.range, row.range], ', ');
  had.meaning ||= row.meaning;
  if (had.default === 'required' && row.default !== 'required') had.default = row.default;
}

interface Peeled {
  inner: Schema;
  optional: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
  description: string | undefined;
}

/** Takes the wrappers off a field: whether it may be left out, its default, its description. */
function peel(schema: Schema): Peeled {
  const out: Peeled = {
    inner: schema,
    optional: false,
    hasDefault: false,
    defaultValue: undefined,
    description: undefined,
  };
  for (;;) {
    const s = out.inner;
    out.description ??= z.globalRegistry.get(s)?.description;
    const def = (s as z.core.$ZodTypes)._zod.def;
    switch (def.type) {
      case 'optional':
        out.optional = true;
        out.inner = def.innerType;
        break;
      case 'default':
      case 'prefault':
        if (!out.hasDefault) {
          out.hasDefault = true;
          out.defaultValue = def.defaultValue;
        }
        out.inner = def.innerType;
        break;
      case 'nullable':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        out.inner = def.innerType;
        break;
      default:
        return out;
    }
  }
}

function describeValue(schema: Schema): ValueInfo {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  const checks = (def.checks ?? []).map((c) => c._zod.def as CheckDef);
  const info: ValueInfo = { type: def.type, range: [], children: [], rules: [] };
  switch (def.type) {
    case 'number': {
      const int = checks.some((c) => c.check === 'number_format' && /int/.test(c.format));
      info.type = int ? 'integer' : 'number';
      info.range = numberRange(checks);
      break;
    }
    case 'string':
      info.range = lengthRange(checks, 'length');
      for (const c of checks) {
        if (c.check === 'string_format')
          info.range.push(
            c.format === 'regex' && c.pattern !== undefined
              ? `matches \`${c.pattern.source}\``
              : `format: ${c.format}`,
          );
      }
      break;
    case 'date':
      info.type = 'Date';
      break;
    case 'enum': {
      const values = Object.values(def.entries);
      info.type = scalarType(values);
      info.range = [values.map(code).join(', ')];
      break;
    }
    case 'literal':
      info.type = scalarType(def.values);
      info.range = [def.values.map(code).join(', ')];
      break;
    case 'array': {
      const item = describeValue(peel(def.element).inner);
      info.type = `${item.type}[]`;
      const count = lengthRange(checks, 'items');
      info.range = [
        [...count, ...(item.range.length > 0 ? [`each: ${item.range.join(', ')}`] : [])].join(', '),
      ].filter((r) => r !== '');
      break;
    }
    case 'record': {
      const key = describeValue(peel(def.keyType).inner);
      const value = describeValue(peel(def.valueType).inner);
      info.type = `record<${key.type}, ${value.type}>`;
      if (key.range.length > 0) info.range.push(`keys: ${key.range.join(', ')}`);
      if (value.range.length > 0) info.range.push(`values: ${value.range.join(', ')}`);
      break;
    }
    case 'object':
      info.children = Object.entries(def.shape);
      break;
    case 'union': {
      const members = def.options.map((o) => describeValue(peel(o).inner));
      info.type = joinDistinct(
        members.map((m) => m.type),
        ' or ',
      );
      info.range = members.flatMap((m) => m.range);
      info.children = members.flatMap((m) => m.children);
      break;
    }
    case 'pipe': {
      // What the caller gives is the input side; a coerced number keeps the output's integer.
      const input = describeValue(peel(def.in).inner);
      const output = describeValue(peel(def.out).inner);
      const numeric = input.type === 'number' && output.type === 'integer';
      info.type = numeric ? output.type : input.type;
      info.range =
        input.range.length > 0
          ? input.range
          : output.range.map((r) =>
              numeric || output.type === input.type ? r : `parsed to ${output.type}: ${r}`,
            );
      info.children = input.children;
      break;
    }
    case 'custom':
      info.range = [messageOf(def)].filter((m) => m !== undefined);
      break;
  }
  // Refinements (`.refine`, a custom check on a string's keys) fail with a message: the rule.
  for (const c of checks) {
    if (c.check !== 'custom') continue;
    const message = messageOf(c);
    if (message === undefined) continue;
    if (def.type === 'object') info.rules.push(message);
    else info.range.push(message);
  }
  return info;
}

function numberRange(checks: CheckDef[]): string[] {
  let lo: string | undefined;
  let hi: string | undefined;
  let loInclusive = true;
  let hiInclusive = true;
  const extra: string[] = [];
  for (const c of checks) {
    if (c.check === 'greater_than') {
      lo = String(c.value);
      loInclusive = c.inclusive;
    } else if (c.check === 'less_than') {
      hi = String(c.value);
      hiInclusive = c.inclusive;
    } else if (c.check === 'multiple_of') extra.push(`multiple of ${String(c.value)}`);
  }
  const bounds =
    lo !== undefined && hi !== undefined && loInclusive && hiInclusive
      ? [`${lo}–${hi}`]
      : [
          ...(lo === undefined ? [] : [`${loInclusive ? '≥' : '>'} ${lo}`]),
          ...(hi === undefined ? [] : [`${hiInclusive ? '≤' : '<'} ${hi}`]),
        ];
  return [...bounds, ...extra];
}

/** Length rules of a string (`length`) or an array (`items`). */
function lengthRange(checks: CheckDef[], unit: 'length' | 'items'): string[] {
  let min: number | undefined;
  let max: number | undefined;
  for (const c of checks) {
    if (c.check === 'min_length') min = c.minimum;
    else if (c.check === 'max_length') max = c.maximum;
    else if (c.check === 'length_equals') min = max = c.length;
  }
  if (min === undefined && max === undefined) return [];
  if (unit === 'length' && min === 1 && max === undefined) return ['non-empty'];
  if (unit === 'items' && max === undefined) return [`at least ${min} item${min === 1 ? '' : 's'}`];
  if (min === max) return [`${unit} ${min}`];
  if (min === undefined) return [`${unit} ≤ ${max}`];
  if (max === undefined) return [`${unit} ≥ ${min}`];
  return [`${unit} ${min}–${max}`];
}

/** The message a custom schema or refinement fails with, if it names one. */
function messageOf(def: z.core.$ZodCheckDef): string | undefined {
  if (def.error === undefined) return undefined;
  try {
    // A refinement's message is a constant map: `() => message`. Anything else gives no text.
    const map = def.error as z.core.$ZodErrorMap;
    const out = map({ code: 'custom', input: undefined, path: [] });
    if (typeof out === 'string') return out;
    return out?.message;
  } catch {
    return undefined;
  }
}

function scalarType(values: readonly unknown[]): string {
  return joinDistinct(
    values.map((v) => (v === null ? 'null' : typeof v)),
    ' or ',
  );
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function joinDistinct(parts: string[], separator: string): string {
  return [...new Set(parts.filter((p) => p !== ''))].join(separator);
}

const UNITS_MS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
  [1, 'ms'],
];
const UNITS_BYTES: [number, string][] = [
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
  [1, 'B'],
];

/** Units of an option whose name says what its numbers count: `...Ms`, `-ms` or `...Bytes`. */
function unitsOf(path: string): [number, string][] | undefined {
  if (/(Ms|-ms)$/.test(path)) return UNITS_MS;
  if (/Bytes$/.test(path)) return UNITS_BYTES;
  return undefined;
}

/** `1234` in its largest whole unit (`30 s`), or undefined when it has none. */
function inUnit(value: number, units: [number, string][] | undefined): string | undefined {
  if (value <= 0 || !Number.isSafeInteger(value)) return undefined;
  const unit = units?.find(([size]) => value >= size && value % size === 0);
  return unit === undefined ? undefined : `${value / unit[0]} ${unit[1]}`;
}

/** A range `lo–hi` of a duration or size, with both ends in units where they have one. */
function withUnits(range: string, path: string): string {
  const units = unitsOf(path);
  const m = /^(\d+)–(\d+)$/.exec(range);
  if (units === undefined || m === null) return range;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  const loText = lo === 0 ? '0' : inUnit(lo, units);
  const hiText = inUnit(hi, units);
  return loText === undefined || hiText === undefined ? range : `${range} (${loText} – ${hiText})`;
}

/**
 * A default as code; a duration (an option named `...Ms` or `...-ms`) or a size (`...Bytes`)
 * of a whole number of a larger unit also in that unit.
 */
function formatDefault(value: unknown, path: string): string {
  const shown = code(value);
  if (typeof value !== 'number') return shown;
  const units = unitsOf(path)?.filter(([size]) => size > 1);
  const unit = inUnit(value, units);
  return unit === undefined ? shown : `${shown} (${unit})`;
}
