import fc from 'fast-check';
import {
  BatchFormatError,
  type BatchMessage,
  type BatchPart,
  batchContentType,
  decodeBatch,
  encodeBatch,
  newBoundary,
  statusOf,
} from './odata-batch';

const message = (startLine: string, body: string, headers: Record<string, string> = {}): BatchMessage => ({
  startLine,
  headers,
  body,
});

describe('OData $batch bodies', () => {
  it('reads back what it writes: changesets and single messages, in order, bodies intact', () => {
    const json = fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(fc.string(), fc.double({ noNaN: true })),
    );
    const httpMessage = fc.record({
      startLine: fc.constantFrom('POST ProdnOrdConf2 HTTP/1.1', 'GET A_ProductionOrder_2 HTTP/1.1'),
      headers: fc.constant({ 'content-type': 'application/json', accept: 'application/json' }),
      body: json.map((value) => JSON.stringify(value, null, 1)),
    });
    const part: fc.Arbitrary<BatchPart> = fc.oneof(
      httpMessage.map((m) => ({ message: m })),
      fc.array(httpMessage, { minLength: 1, maxLength: 4 }).map((changeset) => ({ changeset })),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const boundary = newBoundary('batch');
        const decoded = decodeBatch(batchContentType(boundary), encodeBatch(boundary, parts));
        const withLength = (m: BatchMessage) => ({
          ...m,
          headers: { ...m.headers, 'content-length': String(Buffer.byteLength(m.body)) },
          body: m.body.trim(),
        });
        expect(decoded).toEqual(
          parts.map((p) =>
            'message' in p ? { message: withLength(p.message) } : { changeset: p.changeset.map(withLength) },
          ),
        );
      }),
    );
  });

  it("reads a SAP-style response with LF line ends: a posted changeset and a failed one's error", () => {
    const body = [
      '--batchresponse_A',
      'Content-Type: multipart/mixed; boundary=changesetresponse_B',
      '',
      '--changesetresponse_B',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 201 Created',
      'Content-Type: application/json',
      '',
      '{"d":{"ConfirmationGroup":"1","ConfirmationCount":"1"}}',
      '--changesetresponse_B--',
      '',
      '--batchresponse_A',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 400 Bad Request',
      'Content-Type: application/json',
      '',
      '{"error":{"code":"RU/505","message":{"lang":"en","value":"Order is closed"}}}',
      '--batchresponse_A--',
      '',
    ].join('\n');
    const parts = decodeBatch('multipart/mixed; boundary="batchresponse_A"', body);
    expect(parts).toHaveLength(2);
    const [posted, failed] = parts;
    if (!('changeset' in posted) || !('message' in failed)) throw new Error('unexpected shapes');
    expect(statusOf(posted.changeset[0])).toBe(201);
    expect(JSON.parse(posted.changeset[0].body)).toEqual({
      d: { ConfirmationGroup: '1', ConfirmationCount: '1' },
    });
    expect(statusOf(failed.message)).toBe(400);
    expect(failed.message.body).toContain('Order is closed');
  });

  it('refuses a body without its boundary or without the closing delimiter', () => {
    expect(() => decodeBatch('application/json', '{}')).toThrow(BatchFormatError);
    expect(() =>
      decodeBatch(batchContentType('b'), '--b\nContent-Type: application/http\n\nGET x HTTP/1.1\n'),
    ).toThrow(/no closing delimiter --b--/);
  });

  it('says 0 for a start line that is not a status line', () => {
    expect(statusOf(message('POST ProdnOrdConf2 HTTP/1.1', ''))).toBe(0);
  });
});
