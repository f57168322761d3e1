import fc from 'fast-check';
import { MsgHdrsImpl } from 'nats';
import {
  fromNatsHeaders,
  headersOf,
  MAX_HEADER_VALUE_LENGTH,
  sanitizeHeaderValue,
  toNatsHeaders,
} from './headers';

describe('header values', () => {
  it('keeps printable ASCII as it is', () => {
    expect(sanitizeHeaderValue('order 1000123 is closed in ERP: "A" \\ ok')).toBe(
      'order 1000123 is closed in ERP: "A" \\ ok',
    );
  });

  it('escapes CR, LF, tab, other control characters and non-ASCII', () => {
    expect(sanitizeHeaderValue('{"a":\n\n foo}\r\t')).toBe('{"a":\\n\\n foo}\\r\\t');
    expect(sanitizeHeaderValue('\u0000\u0007\u001b\u007f')).toBe('\\u0000\\u0007\\u001b\\u007f');
    expect(sanitizeHeaderValue('Müller \ufffd 😀')).toBe('M\\u00fcller \\ufffd \\ud83d\\ude00');
  });

  it('cuts a value longer than the bound and says so', () => {
    const cut = sanitizeHeaderValue('x'.repeat(5000));
    expect(cut).toHaveLength(MAX_HEADER_VALUE_LENGTH);
    expect(cut.endsWith('...[truncated]')).toBe(true);
    expect(sanitizeHeaderValue('x'.repeat(MAX_HEADER_VALUE_LENGTH))).toBe(
      'x'.repeat(MAX_HEADER_VALUE_LENGTH),
    );
    expect(sanitizeHeaderValue('\n'.repeat(20), 16)).toBe('\\n...[truncated]');
  });

  it('makes any text a value NATS writes: printable ASCII, bounded, and the publish headers never throw', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.string({ maxLength: 40 }),
        (text, key) => {
          const value = sanitizeHeaderValue(text);
          expect(value).toMatch(/^[\x20-\x7e]*$/);
          expect(value.length).toBeLessThanOrEqual(MAX_HEADER_VALUE_LENGTH);
          const encoded = toNatsHeaders({ [`X-${key}`]: text, 'Plantbridge-Reason': text }).encode();
          expect(MsgHdrsImpl.decode(encoded).get('Plantbridge-Reason')).toBe(value.trim());
        },
      ),
    );
  });
});

describe('reading headers', () => {
  it('gives none rather than throwing when a delivered message has headers nats.js cannot parse', () => {
    const msg = {
      get headers(): never {
        throw new Error("' ' is not a valid character for a header key");
      },
    };
    expect(headersOf(msg)).toEqual({});
    expect(headersOf({ headers: toNatsHeaders({ A: '1' }) })).toEqual(
      fromNatsHeaders(toNatsHeaders({ A: '1' })),
    );
  });
});
