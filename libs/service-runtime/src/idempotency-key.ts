import { createHash } from 'node:crypto';
import {
  applyDecorators,
  ArgumentsHost,
  Catch,
  type ExceptionFilter,
  createParamDecorator,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiConflictResponse, ApiHeader } from '@nestjs/swagger';
import { IdempotencyKeyReusedError } from '@plantbridge/persistence';
import type { Caller, RequestWithCaller } from './auth/caller';
import { CORRELATION_HEADER, isCorrelationId } from './correlation';
import { badRequest } from './validation';

const HEADER = 'idempotency-key';
/** Visible ASCII, as the IETF Idempotency-Key draft allows; long enough for a UUID with a prefix. */
const VALID_KEY = /^[\x21-\x7e]{1,200}$/;

/** What every state-changing request carries besides its body: the key that makes it idempotent. */
export interface CommandRequest {
  /** The caller's `Idempotency-Key`, as sent. */
  idempotencyKey: string;
  /**
   * What a replay is found by: the key within the caller's own (its token's subject), so one client
   * cannot take another's key first and have the other's request answered 409. The key itself with
   * AUTH_MODE=none.
   */
  replayKey: string;
  /** Who is calling (the verified token); undefined with AUTH_MODE=none. */
  caller?: Caller;
  /** The request path: with the body, what a replayed key must match. */
  path: string;
  /**
   * The caller's `X-Correlation-Id`, or the one the logger generated: stamped on the events the
   * request causes, so a confirmation can be traced from MES to ERP.
   */
  correlationId?: string;
}

interface RequestLike extends RequestWithCaller {
  id?: unknown;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The idempotency key, path and correlation id of a POST that changes state. A missing or
 * malformed `Idempotency-Key` is a 400 naming the header.
 */
export const IdempotentCommand = createParamDecorator(
  (_: unknown, context: ExecutionContext): CommandRequest => {
    const request = context.switchToHttp().getRequest<RequestLike>();
    const key = request.headers[HEADER];
    if (typeof key !== 'string' || key === '') {
      throw badRequest([
        { field: 'Idempotency-Key', reason: 'header is required on every POST that changes state' },
      ]);
    }
    if (!VALID_KEY.test(key)) {
      throw badRequest([{ field: 'Idempotency-Key', reason: 'must be 1 to 200 visible ASCII characters' }]);
    }
    // Checked here, not only when the event is built: a correlation id the envelope cannot carry
    // was once accepted with 202 and its event dead-lettered, leaving the ERP posting stuck.
    const header = request.headers[CORRELATION_HEADER];
    if (header !== undefined && !isCorrelationId(header)) {
      throw badRequest([{ field: 'X-Correlation-Id', reason: 'must be 1 to 64 visible ASCII characters' }]);
    }
    const correlationId = typeof request.id === 'string' ? request.id : header;
    const caller = request.caller;
    return {
      idempotencyKey: key,
      replayKey: caller ? replayKeyOf(caller.subject, key) : key,
      caller,
      path: request.originalUrl,
      correlationId,
    };
  },
);

/** A caller's key as its own: a hash, so it fits the key column whatever the subject's length. */
function replayKeyOf(subject: string, key: string): string {
  return `sub:${createHash('sha256').update(subject).update('\n').update(key).digest('base64url')}`;
}

/** Documents the header and the 409 of an endpoint that takes `@IdempotentCommand()`. */
export const Idempotent = () =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description: 'Unique per intended change; a replay returns the first response, another body is 409.',
    }),
    ApiConflictResponse({
      description: 'The Idempotency-Key was used for a different request, or a rule conflicts',
    }),
  );

/** A key reused with another request is the client's mistake: 409 with the key named. */
@Catch(IdempotencyKeyReusedError)
export class IdempotencyKeyReusedFilter implements ExceptionFilter<IdempotencyKeyReusedError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: IdempotencyKeyReusedError, host: ArgumentsHost): void {
    const body = {
      statusCode: 409,
      error: 'Conflict',
      message: error.message,
      errors: [{ field: 'Idempotency-Key', reason: error.message }],
    };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, 409);
  }
}
