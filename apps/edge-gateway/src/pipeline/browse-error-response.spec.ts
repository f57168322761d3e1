import { ServiceFault, StatusCodes } from 'node-opcua';
import { browseFailure, statusOfError } from '../opcua/address-space-browser';
import { browseErrorResponse } from './browse-error-response';

/** The HTTP status, Retry-After and OPC UA status a browse failing with `status` answers. */
function answer(status: string) {
  const { exception, retryAfterS } = browseErrorResponse(browseFailure(status, 'ns=1;s=Line1'));
  const body = exception.getResponse() as { opcuaStatus?: string };
  return { http: exception.getStatus(), retryAfterS, opcuaStatus: body.opcuaStatus };
}

describe('Browse leaks (issue 17, defect 7): the HTTP answer to each OPC UA browse failure', () => {
  it.each([
    ['BadNoContinuationPoints', 503, 2],
    ['BadTooManyOperations', 503, 2],
    ['BadTimeout', 504, undefined],
    ['BadSessionClosed', 503, 5],
    ['BadNodeIdUnknown', 404, undefined],
    ['BadUserAccessDenied', 502, undefined],
    ['BadInternalError', 502, undefined],
  ])('%s: %d', (status, http, retryAfterS) => {
    expect(answer(status)).toEqual({ http, retryAfterS, opcuaStatus: status });
  });

  it('answers an expired continuation point 400 on the field', () => {
    const { exception } = browseErrorResponse(browseFailure('BadContinuationPointInvalid', ''));
    expect(exception.getStatus()).toBe(400);
    expect(exception.getResponse()).toMatchObject({ errors: [{ field: 'continuationPoint' }] });
  });

  it('finds the status in a ServiceFault, in a client error message, and in a request timeout', () => {
    const fault = Object.assign(new Error(' serviceResult = BadTooManyOperations (0x80100000)'), {
      response: new ServiceFault({ responseHeader: { serviceResult: StatusCodes.BadTooManyOperations } }),
    });
    expect(statusOfError(fault)).toBe('BadTooManyOperations');
    expect(statusOfError(new Error('Invalid Channel BadConnectionClosed'))).toBe('BadConnectionClosed');
    expect(
      statusOfError(new Error('Transaction has timed out ( timeout = 15000 ms , request = BrowseRequest)')),
    ).toBe('BadTimeout');
    expect(statusOfError(new Error('something else'))).toBeUndefined();
  });
});
