import type { IncomingMessage, ServerResponse } from 'node:http';
import { stdSerializers } from 'pino';

/**
 * What request logs say of an HTTP exchange: method, URL, caller address and status; the
 * correlation id is bound beside them (pino-http's `quietReqLogger`). pino's standard request
 * serializer takes every header, so an `Authorization` bearer token or a session cookie would land
 * in the logs of every request at the default level (info). Used with pino-http's `wrapSerializers: false`, so the raw request and
 * response come here and nothing else is copied.
 */
export const httpLogSerializers = {
  req: (req: IncomingMessage) => ({
    method: req.method,
    url: requestUrl(req),
    remoteAddress: req.socket?.remoteAddress,
  }),
  res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
  err: stdSerializers.err,
};

/**
 * The URL the caller asked for. Middleware runs through @fastify/middie, which sets `url` relative to
 * where the middleware is mounted and keeps the caller's in `originalUrl`.
 */
export function requestUrl(req: IncomingMessage): string | undefined {
  return (req as { originalUrl?: string }).originalUrl ?? req.url;
}
