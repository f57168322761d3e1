import fc from 'fast-check';
import {
  fromSapDate,
  fromSapDayAndTime,
  fromSapTimestamp,
  odataString,
  parseRetryAfter,
  toSapDay,
  toSapDayLiteral,
  toSapQuantity,
  toSapTime,
  toSapTimestamp,
} from './odata-values';

describe('OData V2 values', () => {
  it('rounds quantities to the three decimals of a SAP quantity field', () => {
    expect(toSapQuantity(10.1234)).toBe('10.123');
    expect(toSapQuantity(0.0005)).toBe('0.001');
    expect(toSapQuantity(7)).toBe('7.000');
  });

  it('splits a timestamp into SAP date and time fields and joins them back to the second', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (date) => {
          const joined = fromSapDayAndTime(toSapDay(date), toSapTime(date));
          expect(joined?.getTime()).toBe(Math.floor(date.getTime() / 1000) * 1000);
        },
      ),
    );
  });

  it("writes a function import's date parameter as the plant's day in a datetime literal", () => {
    // 23:30 in Chicago on 25 November is 26 November in UTC; SAP takes the plant's day.
    const lateShift = new Date('2026-11-26T05:30:00Z');
    expect(toSapDayLiteral(lateShift, 'America/Chicago')).toBe("datetime'2026-11-25T00:00'");
    expect(toSapDayLiteral(lateShift)).toBe("datetime'2026-11-26T00:00'");
  });

  it('reads Edm.DateTime and Edm.DateTimeOffset', () => {
    expect(fromSapDate('/Date(1764146400000)/')?.toISOString()).toBe('2025-11-26T08:40:00.000Z');
    expect(fromSapDate('/Date(1764146400000+0000)/')?.toISOString()).toBe('2025-11-26T08:40:00.000Z');
    expect(fromSapDate('')).toBeUndefined();
  });

  it("sends an instant as the plant's local day and time, which SAP reads them as", () => {
    // 23:30 in Chicago is 05:30 UTC the next day: in UTC the posting date was a day late.
    const lateShift = new Date('2026-11-26T05:30:00Z');
    expect(toSapDay(lateShift, 'America/Chicago')).toBe(`/Date(${Date.UTC(2026, 10, 25)})/`);
    expect(toSapTime(lateShift, 'America/Chicago')).toBe('PT23H30M00S');
    expect(toSapDay(lateShift)).toBe(`/Date(${Date.UTC(2026, 10, 26)})/`);
    // Across Berlin's daylight-saving changes: +01:00 before, +02:00 after 29 March 2026 02:00.
    expect(toSapTime(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('PT01H30M00S');
    expect(toSapTime(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('PT03H30M00S');
    expect(toSapTime(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('PT02H30M00S');
    expect(toSapTime(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('PT02H30M00S');
  });

  it("reads SAP's local day and time as an instant of the plant's time zone, across daylight saving", () => {
    const day = (y: number, m: number, d: number) => `/Date(${Date.UTC(y, m - 1, d)})/`;
    const read = (d: string, t: string, zone: string) => fromSapDayAndTime(d, t, zone)?.toISOString();
    expect(read(day(2026, 11, 25), 'PT23H30M00S', 'America/Chicago')).toBe('2026-11-26T05:30:00.000Z');
    expect(read(day(2026, 3, 28), 'PT12H00M00S', 'Europe/Berlin')).toBe('2026-03-28T11:00:00.000Z');
    expect(read(day(2026, 3, 29), 'PT12H00M00S', 'Europe/Berlin')).toBe('2026-03-29T10:00:00.000Z');
    // 02:30 does not exist that night (clocks go from 02:00 to 03:00): the hour after.
    expect(read(day(2026, 3, 29), 'PT02H30M00S', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 happens twice in October: the first.
    expect(read(day(2026, 10, 25), 'PT02H30M00S', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
    for (const zone of ['Asia/Kolkata', 'America/Chicago', 'Australia/Lord_Howe']) {
      fc.assert(
        fc.property(
          fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
          (date) => {
            const back = fromSapDayAndTime(toSapDay(date, zone), toSapTime(date, zone), zone)!;
            // Only the repeated hour of a fall-back night reads back as its first occurrence.
            const seconds = Math.floor(date.getTime() / 1000) * 1000;
            if (back.getTime() !== seconds) {
              expect(toSapTime(back, zone)).toBe(toSapTime(date, zone));
              expect(seconds - back.getTime()).toBeLessThanOrEqual(3_600_000);
            }
          },
        ),
      );
    }
  });

  it("reads and writes LastChangeDateTime, SAP's Edm.String yyyyMMddHHmmss, not a /Date()/", () => {
    // Read as /Date()/ it was empty, and the order poller's watermark never advanced.
    expect(fromSapTimestamp('20261126064005')?.toISOString()).toBe('2026-11-26T06:40:05.000Z');
    expect(toSapTimestamp(new Date('2026-11-26T06:40:05.999Z'))).toBe('20261126064005');
    expect(fromSapTimestamp('/Date(1764146400000+0000)/')).toBeUndefined();
    expect(fromSapTimestamp('00000000000000')).toBeUndefined(); // ABAP's initial value
    expect(fromSapTimestamp('20251399120000')).toBeUndefined(); // month 13 does not roll over
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (date) => {
          expect(fromSapTimestamp(toSapTimestamp(date))?.getTime()).toBe(
            Math.floor(date.getTime() / 1000) * 1000,
          );
        },
      ),
    );
  });

  it('doubles single quotes in string literals', () => {
    expect(odataString("O'Neil")).toBe("'O''Neil'");
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:10 GMT', Date.parse('2026-11-26T10:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
