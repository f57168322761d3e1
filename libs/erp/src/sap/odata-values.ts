/**
 * OData V2 value formats as SAP gateways send and expect them: decimals as strings with SAP's three
 * decimals, Edm.DateTime as `/Date(ms)/`, Edm.Time as `PT10H05M00S`, quoted string literals.
 */

/** Quantities go to SAP as decimal strings rounded to the 3 decimals of a quantity field (QUAN 13,3). */
export function toSapQuantity(value: number): string {
  return (Math.round(value * 1000) / 1000).toFixed(3);
}

export function fromSapDecimal(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === '') return 0;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`not a decimal: ${String(value)}`);
  return parsed;
}

const SAP_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/** `/Date(1764146400000)/` (Edm.DateTime) or `/Date(1764146400000+0000)/` (Edm.DateTimeOffset). */
export function fromSapDate(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const match = SAP_DATE.exec(value);
  if (match) return new Date(Number(match[1]));
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

export function toSapDate(date: Date): string {
  return `/Date(${date.getTime()})/`;
}

/** The calendar day of a timestamp (UTC midnight), as SAP's date-only fields carry it. */
export function toSapDay(date: Date): string {
  return toSapDate(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())));
}

/** The time of day of a timestamp as Edm.Time. */
export function toSapTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `PT${two(date.getUTCHours())}H${two(date.getUTCMinutes())}M${two(date.getUTCSeconds())}S`;
}

const SAP_TIME = /^PT(\d+)H(\d+)M(\d+)S$/;

/** Joins SAP's separate date and Edm.Time fields into one timestamp. */
export function fromSapDayAndTime(
  day: string | null | undefined,
  time: string | null | undefined,
): Date | undefined {
  const date = fromSapDate(day);
  if (!date) return undefined;
  const match = time ? SAP_TIME.exec(time) : null;
  if (!match) return date;
  return new Date(
    date.getTime() + ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000,
  );
}

/**
 * `A_ProductionOrder_2.LastChangeDateTime` is not an Edm.DateTimeOffset but an Edm.String of 14,
 * `yyyyMMddHHmmss` (an ABAP UTC time stamp): it is filtered as a string and compares as one.
 */
export function toSapTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const SAP_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

export function fromSapTimestamp(value: string | null | undefined): Date | undefined {
  const match = value ? SAP_TIMESTAMP.exec(value) : null;
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** SAP's status flags (`OrderIsReleased`, …) are Edm.String of 1: `'X'` set, `''` not. */
export const SAP_FLAG_SET = 'X';
export const isSapFlagSet = (flag: string | null | undefined): boolean => flag === SAP_FLAG_SET;

/** A string literal for `$filter` or a key predicate: single quotes doubled, as OData requires. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `Retry-After` as delay in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
