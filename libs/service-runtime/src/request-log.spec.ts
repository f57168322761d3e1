import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { httpLogSerializers } from './request-log';

function request(): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.url = '/v1/plants/P100/production-orders/1000001/confirmations';
  req.headers = {
    authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.secret',
    cookie: 'session=abc',
    'idempotency-key': 'k-1',
  };
  return req;
}

describe('httpLogSerializers', () => {
  it('logs method, URL and status, and no header (tokens and cookies stay out of the logs)', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ serializers: httpLogSerializers }, sink);
    const req = request();
    const res = new ServerResponse(req);
    res.statusCode = 202;

    logger.child({ req }).info({ res }, 'request completed');

    const entry = JSON.parse(lines[0]);
    expect(entry.req).toEqual({
      method: 'POST',
      url: '/v1/plants/P100/production-orders/1000001/confirmations',
    });
    expect(entry.res).toEqual({ statusCode: 202 });
    expect(lines[0]).not.toContain('secret');
    expect(lines[0]).not.toContain('session=abc');
  });

  it('keeps errors with their message and stack', () => {
    const error = httpLogSerializers.err(new Error('ERP answered 503')) as { message: string; stack: string };
    expect(error.message).toBe('ERP answered 503');
    expect(error.stack).toContain('ERP answered 503');
  });
});
