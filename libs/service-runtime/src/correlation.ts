/** The header carrying a request's correlation id: taken from the caller, or made up, and echoed back. */
export const CORRELATION_HEADER = 'x-correlation-id';
