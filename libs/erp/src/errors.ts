/** Base of every error an ERP adapter throws; `operation` names the call (e.g. `postConfirmation`). */
export abstract class ErpError extends Error {
  abstract readonly retryable: boolean;

  constructor(
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * ERP did not apply the request and may accept it later: throttled (429), unavailable (503), a
 * connection refused before anything was sent. `retryAfterMs` is ERP's `Retry-After` when it gave one.
 */
export class ErpTransientError extends ErpError {
  readonly retryable = true;

  constructor(
    operation: string,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(operation, message, options);
  }
}

/**
 * ERP refused because another user or process holds the lock on what the request changes (SAP M3 897,
 * the material block of a goods movement). Nothing was applied and a later try normally goes through,
 * so it is transient and retried; a working ERP gave the answer, so it does not count towards the
 * circuit breaker. `sapCode` is ERP's message.
 */
export class ErpLockedError extends ErpTransientError {
  constructor(
    operation: string,
    message: string,
    status: number,
    readonly sapCode: string,
  ) {
    super(operation, message, status);
  }
}

/**
 * The request reached ERP, or may have, and no answer came back (timeout, connection reset after
 * sending). A write may have been committed: resolve by looking its idempotency key up first.
 */
export class ErpInDoubtError extends ErpError {
  readonly retryable = true;
}

/** The circuit breaker is open after repeated failures: ERP is not called until it half-opens. */
export class ErpUnavailableError extends ErpError {
  readonly retryable = true;

  constructor(
    operation: string,
    message: string,
    /** When the breaker lets a trial call through, at the latest. */
    readonly retryAfterMs: number,
  ) {
    super(operation, message);
  }
}

/**
 * ERP refused the request for a business reason (order closed, unknown operation, quantity rule).
 * Retrying the same request will not help; `sapCode` and `message` are ERP's own.
 */
export class ErpBusinessError extends ErpError {
  readonly retryable = false;

  constructor(
    operation: string,
    message: string,
    readonly status: number,
    readonly sapCode: string,
  ) {
    super(operation, message);
  }
}

/** Credentials, authorization or a protocol mismatch: an operator must act; retrying will not help. */
export class ErpConfigurationError extends ErpError {
  readonly retryable = false;
}
