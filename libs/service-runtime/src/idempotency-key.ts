import {
  applyDecorators,
  ArgumentsHost,
  Catch,
  type ExceptionFilter,
  createParamDecorator,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiConflictResponse, ApiHeader } from '@nestjs/swagger';
import { IdempotencyKeyReusedError } from '@plantbridge/persistence';
import { badRequest } from './validation';

const HEADER = 'idempotency-key';
/** Visible ASCII, as the IETF Idempotency-Key draft allows; long enough for a UUID with a prefix. */
const VALID_KEY = /^[\x21-\x7e]{1,200}$/;

/** The request's `Idempotency-Key`; a missing or malformed key is a 400 naming the header. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const value = context
    .switchToHttp()
    .getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers[HEADER];
  if (typeof value !== 'string' || value === '') {
    throw badRequest([
      { field: 'Idempotency-Key', reason: 'header is required on every POST that changes state' },
    ]);
  }
  if (!VALID_KEY.test(value)) {
    throw badRequest([{ field: 'Idempotency-Key', reason: 'must be 1 to 200 visible ASCII characters' }]);
  }
  return value;
});

/** Documents the header and the 409 of an endpoint that takes `@IdempotencyKey()`. */
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
  catch(error: IdempotencyKeyReusedError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<{ status(code: number): { json(body: unknown): void } }>()
      .status(409)
      .json({
        statusCode: 409,
        error: 'Conflict',
        message: error.message,
        errors: [{ field: 'Idempotency-Key', reason: error.message }],
      });
  }
}
