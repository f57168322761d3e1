import fc from 'fast-check';
import { CAPABILITIES } from '../common/capability';
import { EVENT_DEFINITIONS } from '../catalog/event-catalog';
import { InvalidSubjectError, parseSubject, subjectFilterFor, subjectFor } from './subject';

const plant = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/);
const definition = fc.constantFrom(...EVENT_DEFINITIONS);

describe('subjects', () => {
  it('builds mfg.<capability>.v<major>.<plant>.<event>', () => {
    const [released] = EVENT_DEFINITIONS;
    expect(subjectFor(released, 'P100')).toBe('mfg.production.v1.P100.order-released');
    expect(subjectFilterFor(released)).toBe('mfg.production.v1.*.order-released');
  });

  it('parses back every subject it builds', () => {
    fc.assert(
      fc.property(definition, plant, (d, p) => {
        expect(parseSubject(subjectFor(d, p))).toEqual({
          capability: d.capability,
          version: d.version,
          plant: p,
          event: d.name,
        });
      }),
    );
  });

  it('refuses a plant that would break the subject hierarchy', () => {
    fc.assert(
      fc.property(definition, fc.constantFrom('P.100', 'P 1', '*', '>', '', 'x'.repeat(33)), (d, p) => {
        expect(() => subjectFor(d, p)).toThrow(InvalidSubjectError);
      }),
    );
  });

  it.each([
    ['mfg.production.v1.P100', 'expected mfg.<capability>.v<major>.<plant>.<event>'],
    ['erp.production.v1.P100.order-released', 'must start with "mfg."'],
    ['mfg.finance.v1.P100.order-released', 'unknown capability "finance"'],
    ['mfg.production.1.P100.order-released', 'version token "1"'],
    ['mfg.production.v1.P*.order-released', 'plant "P*"'],
    ['mfg.production.v1.P100.OrderReleased', 'must be kebab-case'],
  ])('rejects %s with the reason', (subject, reason) => {
    expect(() => parseSubject(subject)).toThrow(reason);
  });

  it('never accepts a random string that is not a well-formed subject', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        let parsed;
        try {
          parsed = parseSubject(s);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidSubjectError);
          return;
        }
        expect(CAPABILITIES).toContain(parsed.capability);
        expect(s.startsWith(`mfg.${parsed.capability}.v${parsed.version}.${parsed.plant}.`)).toBe(true);
      }),
    );
  });
});
