/**
 * Thrown by a handler when retrying cannot help (a business rule refuses the event, a reference
 * does not exist): the message is dead-lettered at once with this message as the reason. Any
 * other error is taken as transient and retried with growing delay.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** The message is not a valid Plantbridge event (JSON, envelope or payload). */
export class InvalidEventError extends PermanentError {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidEventError';
  }
}

/**
 * The event's subject, envelope and payload name different plants, or a plant the consumer does not
 * serve: handling it would act (and publish follow-ups) for the wrong plant.
 */
export class PlantMismatchError extends InvalidEventError {
  constructor(reason: string) {
    super(reason);
    this.name = 'PlantMismatchError';
  }
}

/**
 * Thrown by a handler that knows when to try again (ERP sent `Retry-After`, a breaker half-opens at
 * a known time): the message is redelivered after `delayMs` instead of the policy's backoff.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}
