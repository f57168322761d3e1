import fc from 'fast-check';
import { validateAs } from '../validation/validate';
import { IsIdentifier, IsSapQuantity, IsText, IsTimestamp, toText } from './field-rules';

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

class Identifier {
  @IsIdentifier(10)
  value!: string;
}

/** Any UTF-16 code unit, lone surrogates included, as JSON's `\uXXXX` escapes can carry them. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) });

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

  it('a lone surrogate as an equipment id: unpaired surrogates are refused, pairs are text', () => {
    // UTF-8 cannot carry "\ud800": the database stored U+FFFD, and the next insert of "\ud800" hit the key.
    expect(valid(Identifier, 'M\ud800')).toBe(false);
    expect(valid(Identifier, '\udc00x')).toBe(false);
    expect(valid(Text, 'cut \ud83d')).toBe(false);
    expect(valid(Identifier, 'M\ud83d\ude00')).toBe(true);
    fc.assert(
      fc.property(codeUnits, (text) => {
        expect(valid(Text, toText(text, 10))).toBe(true);
        expect(Buffer.from(toText(text, 10), 'utf8').toString('utf8')).toBe(toText(text, 10));
      }),
      { numRuns: 5000 },
    );
    // A cut through a pair leaves no half behind.
    expect(toText('abcdefghi\ud83d\ude00', 10)).toBe('abcdefghi\ufffd');
  });
});
