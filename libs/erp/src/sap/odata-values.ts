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

/*
 * Edm.DateTime dates and Edm.Time times carry no time zone: SAP reads them as the plant's local
 * calendar day and wall-clock time. An instant goes to SAP as its day and time in the plant's IANA
 * time zone (PLANT_TIME_ZONE), and comes back from there; in UTC a confirmation made at 23:30 in
 * Chicago was posted on the next day, in the next period at a month's end.
 */

/** Year, month (1-12), day, hour, minute, second of an instant on the wall clocks of `timeZone`. */
function wallClock(date: Date, timeZone: string): number[] {
  const parts = wallClockFormat(timeZone).formatToParts(date);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [part('year'), part('month'), part('day'), part('hour'), part('minute'), part('second')];
}

const formats = new Map<string, Intl.DateTimeFormat>();
function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The instant a wall-clock time of `timeZone` names (in a DST gap, the hour after; when repeated, the first). */
function instantOf(wall: number[], timeZone: string): Date {
  const [y, mo, d, h, mi, s] = wall;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetAt = (ms: number) => {
    const [wy, wmo, wd, wh, wmi, ws] = wallClock(new Date(ms), timeZone);
    return Date.UTC(wy, wmo - 1, wd, wh, wmi, ws) - Math.floor(ms / 1000) * 1000;
  };
  // The offset before and after the guess; the earlier candidate that reads back as `wall` wins.
  const candidates = [asUtc - offsetAt(asUtc - 86_400_000), asUtc - offsetAt(asUtc + 86_400_000)].sort(
    (a, b) => a - b,
  );
  const exact = candidates.find((ms) => wallClock(new Date(ms), timeZone).join() === wall.join());
  return new Date(exact ?? candidates[1]);
}

/** The plant's calendar day of an instant, as SAP's Edm.DateTime date fields carry it (`/Date(midnight UTC)/`). */
export function toSapDay(date: Date, timeZone = 'UTC'): string {
  const [y, mo, d] = wallClock(date, timeZone);
  return toSapDate(new Date(Date.UTC(y, mo - 1, d)));
}

/**
 * The plant's calendar day of an instant as the URI literal of an Edm.DateTime date, for function
 * import parameters: `datetime'2026-11-26T00:00'`, the form SAP's documents for `PostingDate`.
 */
export function toSapDayLiteral(date: Date, timeZone = 'UTC'): string {
  const [y, mo, d] = wallClock(date, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `datetime'${y}-${two(mo)}-${two(d)}T00:00'`;
}

/** The plant's wall-clock time of an instant as Edm.Time. */
export function toSapTime(date: Date, timeZone = 'UTC'): string {
  const [, , , h, mi, s] = wallClock(date, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `PT${two(h)}H${two(mi)}M${two(s)}S`;
}

const SAP_TIME = /^PT(\d+)H(\d+)M(\d+)S$/;

/** Joins SAP's separate date and Edm.Time fields, the plant's local day and time, into one instant. */
export function fromSapDayAndTime(
  day: string | null | undefined,
  time: string | null | undefined,
  timeZone = 'UTC',
): Date | undefined {
  const date = fromSapDate(day);
  if (!date) return undefined;
  const match = time ? SAP_TIME.exec(time) : null;
  const [h, mi, s] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  return instantOf([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), h, mi, s], timeZone);
}

/**
 * `A_ProductionOrder_2.LastChangeDateTime` is not an Edm.DateTimeOffset but an Edm.String of 14,
 * `yyyyMMddHHmmss` (an ABAP UTC time stamp): it is filtered as a string and compares as one.
 */
export function toSapTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const SAP_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Undefined for ABAP's initial value (all zeros) and for a time stamp no calendar has. */
export function fromSapTimestamp(value: string | null | undefined): Date | undefined {
  const match = value ? SAP_TIMESTAMP.exec(value) : null;
  if (!match || /^0+$/.test(value ?? '')) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return toSapTimestamp(date) === value ? date : undefined;
}

/** SAP's status flags (`OrderIsReleased`, …) are Edm.String of 1: `'X'` set, `''` not. */
export const SAP_FLAG_SET = 'X';
export const isSapFlagSet = (flag: string | null | undefined): boolean => flag === SAP_FLAG_SET;

/** A string literal for `$filter` or a key predicate: single quotes doubled, as OData requires. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A string key in a resource path, `A_ProductPlant(Product='…')`: the literal URL-encoded, so a key
 * with `/`, `#`, `?` or `%` (SAP allows `/` in material numbers) stays one path segment.
 */
export function odataKey(value: string): string {
  return encodeURIComponent(odataString(value));
}

/** `Retry-After` as delay in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
