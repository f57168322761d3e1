import type { IdempotentResponse } from '@plantbridge/persistence';

/** The parts of the HTTP reply an idempotent endpoint sets. */
export interface IdempotentHttpResponse {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

/**
 * Answers with the stored status of an idempotent command; a replay is marked with
 * `Idempotent-Replayed: true` so a client can tell it got the first response again.
 */
export async function sendIdempotent<T>(
  res: IdempotentHttpResponse,
  result: Promise<IdempotentResponse<T>>,
  location?: (body: T) => string,
): Promise<T> {
  const { statusCode, body, replayed } = await result;
  res.status(statusCode);
  if (replayed) res.header('idempotent-replayed', 'true');
  if (location) res.header('location', location(body));
  return body;
}
