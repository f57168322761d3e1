/**
 * What the fuzzer knows of a field, to tell whether a hostile value is *clearly* invalid. It is
 * deliberately conservative: it says "refuse" only where no reading of the rules could accept the
 * value (wrong JSON type, an impossible date, a negative quantity, a text over its length), and
 * "either" wherever the product's rules may reasonably go both ways, so a tightened rule never
 * turns into a false alarm.
 */
/** `quantity`: a REST quantity (SAP: at most 3 decimals); `number`: any finite number ≥ 0; `count`: an integer ≥ 0. */
export type FieldRule =
  | { kind: 'text'; max: number; pattern?: RegExp }
  | { kind: 'quantity' }
  | { kind: 'number' }
  | { kind: 'count' }
  | { kind: 'boolean' }
  | { kind: 'timestamp' };

export interface FieldSpec {
  rule: FieldRule;
  optional?: boolean;
}

export type FieldSpecs = Record<string, FieldSpec>;

/** `good`: valid; `refuse`: must be refused; `either`: the fuzzer cannot tell, any 4xx or 2xx is fine. */
export type Expectation = 'good' | 'refuse' | 'either';

/** What JSON.parse makes of a node the fuzzer could not represent exactly (invalid JSON text). */
export const UNPARSABLE = Symbol('unparsable');

const SAP_QUANTITY_LIMIT = 1e10;

/**
 * How a field holding `value` (what the server's JSON.parse yields) fares against its rule: never
 * `good`, since a value valid on its own may still break a rule across fields (end before start).
 */
export function judge(spec: FieldSpec, value: unknown): 'refuse' | 'either' {
  if (value === UNPARSABLE) return 'refuse';
  if (value === null) return spec.optional ? 'either' : 'refuse';
  const { rule } = spec;
  switch (rule.kind) {
    case 'text':
      return typeof value !== 'string' ? 'refuse' : judgeText(value, rule.max, rule.pattern);
    case 'quantity':
      return typeof value !== 'number' ? 'refuse' : judgeQuantity(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? 'either' : 'refuse';
    case 'count':
      if (typeof value !== 'number') return 'refuse';
      return Number.isInteger(value) && value >= 0 ? 'either' : 'refuse';
    case 'boolean':
      return typeof value === 'boolean' ? 'either' : 'refuse';
    case 'timestamp':
      return typeof value !== 'string' ? 'refuse' : judgeTimestamp(value);
  }
}

function judgeText(value: string, max: number, pattern?: RegExp): 'refuse' | 'either' {
  if (value === '') return 'refuse';
  if (pattern && !pattern.test(value)) return 'refuse';
  // class-validator counts a surrogate pair as one character and variation selectors as none.
  const characters = [...value].length - (value.match(/[\uFE0E\uFE0F]/g)?.length ?? 0);
  return characters > max ? 'refuse' : 'either';
}

function judgeQuantity(value: number): 'refuse' | 'either' {
  if (!Number.isFinite(value) || value < 0 || value > SAP_QUANTITY_LIMIT) return 'refuse';
  return Number(value.toFixed(3)) === value ? 'either' : 'refuse';
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 with a zone, on a real calendar day; 24:00 and leap seconds are left to the product. */
function judgeTimestamp(value: string): 'refuse' | 'either' {
  const m = TIMESTAMP.exec(value);
  if (!m) return 'refuse';
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const zoneOk = m[8] === 'Z' || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || minute > 59 || !zoneOk) return 'refuse';
  return hour > 24 || second > 60 ? 'refuse' : 'either';
}

/** The stricter of two expectations: one refusing part makes the whole input one to refuse. */
export function combine(a: Expectation, b: Expectation): Expectation {
  if (a === 'refuse' || b === 'refuse') return 'refuse';
  return a === 'either' || b === 'either' ? 'either' : 'good';
}
