import fc from 'fast-check';
import {
  fromSapDate,
  fromSapDayAndTime,
  fromSapTimestamp,
  odataString,
  parseRetryAfter,
  toSapDay,
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

  it('reads Edm.DateTime and Edm.DateTimeOffset', () => {
    expect(fromSapDate('/Date(1764146400000)/')?.toISOString()).toBe('2025-11-26T08:40:00.000Z');
    expect(fromSapDate('/Date(1764146400000+0000)/')?.toISOString()).toBe('2025-11-26T08:40:00.000Z');
    expect(fromSapDate('')).toBeUndefined();
  });

  it("reads and writes LastChangeDateTime, SAP's Edm.String yyyyMMddHHmmss, not a /Date()/", () => {
    // Read as /Date()/ it was empty, and the order poller's watermark never advanced.
    expect(fromSapTimestamp('20261126064005')?.toISOString()).toBe('2026-11-26T06:40:05.000Z');
    expect(toSapTimestamp(new Date('2026-11-26T06:40:05.999Z'))).toBe('20261126064005');
    expect(fromSapTimestamp('/Date(1764146400000+0000)/')).toBeUndefined();
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
