import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { jsonShapeProblem } from '@plantbridge/canonical-model';
import { CORRELATION_HEADER, isCorrelationId } from './correlation';
import { DOCS_PATH } from './openapi';
import { badRequest } from './validation';

/** How long and how many: what keeps slow or many clients from holding the HTTP server. */
export interface HttpLimits {
  /** Receiving a whole request, headers and body; past it the client gets 408 and is closed. */
  requestTimeoutMs: number;
  /** Receiving the headers. */
  headersTimeoutMs: number;
  /** Open connections at once. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnections: 1024,
};

/**
 * The HTTP server of every service: Fastify rather than Nest's default, Express. The HTTP pipeline
 * (routing, validation, logging) was about half of a confirmation's CPU; on the 2-core benchmark
 * machine it cost 0.41–0.47 ms a request on Express and 0.30–0.31 ms on Fastify, and an empty NestJS
 * endpoint answered 3,400–4,800 req/s on Express against 8,100–10,700 on Fastify. JSON bodies may
 * be up to 1 MiB (Fastify's `bodyLimit`).
 *
 * Each request's id is its correlation id: the caller's `X-Correlation-Id`, or a new UUID, echoed
 * back. Fastify makes it and sets it on the raw request too, where pino-http takes it for the logs.
 * A caller's id that events could not carry is not used (a command refuses it with a 400, see
 * `IdempotentCommand`).
 */
export function httpAdapter(limits: HttpLimits = DEFAULT_HTTP_LIMITS): FastifyAdapter {
  const adapter = new FastifyAdapter({
    // Fastify's default requestTimeout of 0 turns Node's off: 250 connections trickling a 1 MB body
    // stayed open for as long as a test ran. Node checks these every connectionsCheckingInterval.
    requestTimeout: limits.requestTimeoutMs,
    // Refusals Fastify and Node make before Nest sees a request, in the same shape as every other
    // 400: a URL that is not valid percent-encoding, bytes the HTTP parser refuses, huge headers.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const field = error.code === 'FST_ERR_BAD_URL' ? '(url)' : '(request)';
      void reply.code(400).send(badRequest([{ field, reason: error.message }]).getResponse());
    },
    clientErrorHandler: answerClientError,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    genReqId: (req: IncomingMessage) => {
      const given = req.headers[CORRELATION_HEADER];
      const id = isCorrelationId(given) ? given : randomUUID();
      (req as { id?: string }).id = id;
      return id;
    },
  });
  const fastify = adapter.getInstance();
  // Past this many open connections Node closes new ones at once, so slow clients cannot take all.
  fastify.server.maxConnections = limits.maxConnections;
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_HEADER, request.id);
    done();
  });
  // As with Express, a POST without a body has `{}`, so one whose fields are all optional (completing
  // an operation) needs none, with or without a JSON content type.
  adapter.useBodyParser('application/json', false, undefined, (request, body, done) => {
    if (body.length === 0) return done(null, {});
    void fastify.getDefaultJsonParser('error', 'error')(request, body.toString('utf8'), (error, parsed) => {
      if (error) return done(bodyError(error.message));
      // Before class-transformer sees it: it recursed per level and overflowed at ~2,000 (a 500).
      const problem = jsonShapeProblem(parsed);
      if (problem) return done(bodyError(problem));
      done(null, parsed);
    });
  });
  // The query string's keys too: class-transformer silently drops `__proto__` or `constructor`.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem = jsonShapeProblem(request.query);
    done(problem ? badRequest([{ field: '(query)', reason: problem }]) : undefined);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    request.body ??= {};
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    done(null, reply.statusCode === 400 ? namedRefusal(payload, request.url) : payload);
  });
  return adapter;
}

/**
 * A 400 made outside our validation gets the `errors` every refusal carries: the Swagger UI's static
 * files refuse a path holding NUL with Nest's bare `{statusCode, message}` (the URL is named), and
 * any other refusal of the HTTP layer keeps its own message under `(request)`.
 */
function namedRefusal(payload: unknown, url: string): unknown {
  if (typeof payload !== 'string' || payload.includes('"errors":')) return payload;
  let message: unknown;
  try {
    message = (JSON.parse(payload) as { message?: unknown }).message;
  } catch {
    message = undefined;
  }
  const given = typeof message === 'string' && message !== STATUS_CODES[400] ? message : undefined;
  const error = url.startsWith(`/${DOCS_PATH}/`)
    ? { field: '(url)', reason: given ?? 'not a path this server serves' }
    : { field: '(request)', reason: given ?? 'refused by the HTTP server' };
  return JSON.stringify(badRequest([error]).getResponse());
}

/** A body Fastify cannot hand to a controller: the same 400 as a broken field, naming the body. */
function bodyError(reason: string): Error {
  return badRequest([{ field: '(body)', reason }]);
}

/**
 * Node's HTTP parser refused the request (or timed it out): answer in the shape of every refusal,
 * naming what was wrong, then close, as Fastify's own handler does.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, field, reason] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, '(request)', 'did not arrive whole within HTTP_REQUEST_TIMEOUT_MS']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, '(headers)', 'larger than the server allows (16 KiB)']
        : [400, '(request)', `not valid HTTP (${error.code ?? error.message})`];
  const body = JSON.stringify({
    statusCode: status,
    error: STATUS_CODES[status],
    message: `${field}: ${reason}`,
    errors: [{ field, reason }],
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
