import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { CORRELATION_HEADER } from './platform.module';

/**
 * The request's correlation id (the caller's `X-Correlation-Id`, or the one the logger generated),
 * to stamp on the events a request causes so a confirmation can be traced from MES to ERP.
 */
export const CorrelationId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const request = context.switchToHttp().getRequest<{ id?: unknown; headers: Record<string, unknown> }>();
    if (typeof request.id === 'string') return request.id;
    const header = request.headers[CORRELATION_HEADER];
    return typeof header === 'string' ? header : undefined;
  },
);
