import { isSapLockMessage, normaliseSapCode, readSapError, type SapErrorBody } from './sap-error-body';

const body = (error: SapErrorBody['error']) => JSON.stringify({ error });
const DEFICIT = 'Deficit of SL Unrestricted-use 5 PC : RM-100 P100 0001';

describe("reading SAP's error body", () => {
  it("takes a business refusal's own code and message, with the other errors after it", () => {
    const refused = body({
      code: 'RU/140',
      message: { lang: 'en', value: 'Order 1000001 is already closed; no confirmation possible' },
      innererror: {
        errordetails: [
          {
            code: 'RU/140',
            message: 'Order 1000001 is already closed; no confirmation possible',
            severity: 'error',
          },
          { code: 'RU/141', message: 'Operation 0010 is final confirmed', severity: 'error' },
          { code: 'RU/500', message: 'Confirmation saved with warnings', severity: 'warning' },
        ],
      },
    });
    expect(readSapError(refused)).toEqual({
      code: 'RU/140',
      message: 'Order 1000001 is already closed; no confirmation possible; Operation 0010 is final confirmed',
    });
  });

  it("shows the cause, not the gateway's wrapper, when the application raised it through the gateway", () => {
    const wrapped = body({
      code: '/IWBEP/CX_MGW_BUSI_EXCEPTION',
      message: { lang: 'en', value: 'An exception was raised' },
      innererror: {
        errordetails: [
          { code: '/IWBEP/CX_MGW_BUSI_EXCEPTION', message: 'An exception was raised', severity: 'error' },
          { code: 'M7 021', message: DEFICIT, severity: 'error' },
          { code: 'M7/021', message: DEFICIT, severity: 'error' },
          { code: 'M7/064', message: 'Document is only a proposal', severity: 'info' },
        ],
      },
    });
    expect(readSapError(wrapped)).toEqual({ code: 'M7/021', message: DEFICIT });
  });

  it("keeps the gateway's own code when nothing else caused it (a malformed request)", () => {
    const malformed = body({
      code: '/IWBEP/CM_MGW_RT/021',
      message: { lang: 'en', value: 'Malformed JSON' },
      innererror: {
        errordetails: [{ code: '/IWBEP/CM_MGW_RT/021', message: 'Malformed JSON', severity: 'error' }],
      },
    });
    expect(readSapError(malformed)).toEqual({ code: '/IWBEP/CM_MGW_RT/021', message: 'Malformed JSON' });
  });

  it('reads a page that is not SAP JSON as its text', () => {
    expect(readSapError('<html>Bad gateway</html>')).toEqual({
      code: 'UNKNOWN',
      message: '<html>Bad gateway</html>',
    });
    expect(readSapError('')).toEqual({ code: 'UNKNOWN', message: 'no response body' });
  });
});

describe('SAP message ids', () => {
  it.each([
    ['M7/021', 'M7/021'],
    ['M7 021', 'M7/021'],
    ['M7021', 'M7/021'],
    [' M3897 ', 'M3/897'],
    ['/IWBEP/CM_MGW_RT/022', '/IWBEP/CM_MGW_RT/022'],
    ['/IWBEP/CX_MGW_BUSI_EXCEPTION', '/IWBEP/CX_MGW_BUSI_EXCEPTION'],
    ['UNKNOWN', 'UNKNOWN'],
    ['PLANTBRIDGE/KEY', 'PLANTBRIDGE/KEY'],
  ])('writes %j as %j', (code, normal) => expect(normaliseSapCode(code)).toBe(normal));

  it('knows the material block (M3 897) as a lock, in any spelling, and a deficit as none', () => {
    expect(isSapLockMessage('M3/897')).toBe(true);
    expect(isSapLockMessage('M3 897')).toBe(true);
    expect(isSapLockMessage('M7/021')).toBe(false);
  });
});
