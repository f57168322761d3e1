import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '@plantbridge/canonical-model';
import { CORRELATION_HEADER, isCorrelationId } from './correlation';
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
      // Before class-transformer sees it: it recurses per level and overflowed at ~2,000 (a 500).
      if (nestsDeeperThan(parsed))
        return done(bodyError(`must not nest deeper than ${MAX_JSON_DEPTH} levels`));
      done(null, parsed);
    });
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    request.body ??= {};
    done();
  });
  return adapter;
}

/** A body Fastify cannot hand to a controller: the same 400 as a broken field, naming the body. */
function bodyError(reason: string): Error {
  return badRequest([{ field: '(body)', reason }]);
}
