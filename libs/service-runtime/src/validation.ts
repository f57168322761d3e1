import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { describeFieldErrors, flattenErrors } from '@plantbridge/canonical-model';

/** The body of every 400: one line for people, one entry per broken field for programs. */
export interface FieldErrorResponse {
  statusCode: 400;
  error: 'Bad Request';
  message: string;
  errors: Array<{ field: string; reason: string }>;
}

export function badRequest(errors: Array<{ field: string; reason: string }>): BadRequestException {
  const body: FieldErrorResponse = {
    statusCode: 400,
    error: 'Bad Request',
    message: errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
    errors,
  };
  return new BadRequestException(body);
}

/**
 * Validates and converts request bodies, params and queries with their class-validator DTOs,
 * refuses unknown fields, and reports every broken field with its path (`operations[0].operation`).
 */
export function fieldValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const fields = flattenErrors(errors);
      const described = fields.map((f) => ({ field: f.field || '(body)', reason: f.messages.join(', ') }));
      const exception = badRequest(described);
      // Keep the canonical description in logs too.
      exception.message = describeFieldErrors(fields);
      return exception;
    },
  });
}
