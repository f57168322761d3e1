import fc from 'fast-check';
import { validateAs } from '../validation/validate';
import { IsSapQuantity, IsText, IsTimestamp, toText } from './field-rules';

class Quantity {
  @IsSapQuantity()
  value!: number;
}

class Timestamp {
  @IsTimestamp()
  value!: string;
}

class Text {
  @IsText(10)
  value!: string;
}

const valid = <T extends object>(type: new () => T, value: unknown) => validateAs(type, { value }).ok;

describe('field rules', () => {
  it('500s on input: quantities in exponent form are refused or accepted, never thrown on', () => {
    // class-validator's maxDecimalPlaces split "1e-7" at the dot and threw: a 500.
    expect(valid(Quantity, 1e-7)).toBe(false);
    expect(valid(Quantity, 5e-324)).toBe(false);
    expect(valid(Quantity, 1e3)).toBe(true);
    expect(valid(Quantity, 1.5e-2)).toBe(true);
    expect(valid(Quantity, 1e21)).toBe(false);
    expect(valid(Quantity, 0.1 + 0.2)).toBe(false);
    fc.assert(
      fc.property(fc.double(), (value) => {
        const ok = valid(Quantity, value);
        expect(typeof ok).toBe('boolean');
        if (ok) expect(Math.round(value * 1000) / 1000).toBe(value);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses impossible dates that have the right shape', () => {
    expect(valid(Timestamp, '2026-02-30T06:00:00Z')).toBe(false);
    expect(valid(Timestamp, '2026-13-01T06:00:00Z')).toBe(false);
    expect(valid(Timestamp, '2028-02-29T06:00:00+01:00')).toBe(true);
  });

  it('refuses control characters in text, and toText makes any text fit', () => {
    expect(valid(Text, 'a\u0000b')).toBe(false);
    expect(valid(Text, 'line\nbreak')).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => expect(valid(Text, toText(text, 10))).toBe(true)),
    );
  });
});
