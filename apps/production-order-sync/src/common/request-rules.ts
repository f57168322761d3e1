import { TIMESTAMP_PATTERN } from '@plantbridge/canonical-model';
import { Matches } from 'class-validator';

/** A timestamp in a request body: RFC 3339 with a zone, as the canonical events carry it. */
export const IsRequestTimestamp = (): PropertyDecorator =>
  Matches(TIMESTAMP_PATTERN, {
    message: '$property must be an RFC 3339 timestamp with a zone, e.g. 2026-11-26T08:00:00Z',
  });
