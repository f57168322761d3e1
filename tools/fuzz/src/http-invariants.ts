import type { HttpOutcome } from './http-client';
import type { HttpInput } from './http-request';

/** An invariant an input broke: which, and what came back. */
export interface Breach {
  rule: string;
  detail: string;
}

/** Statuses a valid request may get: done, or refused by the state of the order (unknown, closed, …). */
const GOOD_ANSWERS = new Set([200, 201, 202, 404, 409, 422]);

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';
/** A field may be named by a blank key (`" "` is a field the caller sent); it must be named. */
const named = (v: unknown) => typeof v === 'string' && v !== '';

/**
 * A 400 lists every broken field with its rule (`errors: [{field, reason}]`, as
 * libs/service-runtime's validation pipe answers); any other 4xx says why in `message`.
 */
export function namesItsRule(status: number, body: string): Breach | undefined {
  const json = parse(body) as { errors?: unknown; message?: unknown } | undefined;
  if (typeof json !== 'object' || json === null)
    return { rule: '4xx body is not JSON', detail: `${status} ${body.slice(0, 200)}` };
  if (status === 400) {
    const errors = json.errors;
    const ok =
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every((e: { field?: unknown; reason?: unknown }) => named(e?.field) && nonEmpty(e?.reason));
    return ok ? undefined : { rule: '400 without errors[{field, reason}]', detail: body.slice(0, 300) };
  }
  const message = json.message;
  const ok = nonEmpty(message) || (Array.isArray(message) && message.length > 0 && message.every(nonEmpty));
  return ok ? undefined : { rule: `${status} without a message`, detail: body.slice(0, 300) };
}

/** The invariants of one answer: no 5xx, no hang, valid input taken, invalid input refused with a reason. */
export function checkAnswer(input: HttpInput, outcome: HttpOutcome): Breach | undefined {
  if (outcome.kind === 'timeout') return { rule: 'no answer (timeout)', detail: `after ${outcome.ms} ms` };
  if (outcome.kind === 'connection-error') {
    // A server may drop a connection it refuses (an oversized body); a valid request must get through.
    return input.expect === 'good'
      ? { rule: 'valid request lost its connection', detail: outcome.code }
      : undefined;
  }
  const { status, body } = outcome;
  if (status >= 500) return { rule: '5xx', detail: `${status} ${body.slice(0, 300)}` };
  if (input.expect === 'good' && !GOOD_ANSWERS.has(status))
    return { rule: 'valid request refused', detail: `${status} ${body.slice(0, 300)}` };
  if (input.expect === 'refuse' && status < 400)
    return { rule: 'invalid request accepted', detail: `${status} ${body.slice(0, 200)}` };
  if (status >= 400) return namesItsRule(status, body);
  return undefined;
}

/** How an answer is counted in the table: its status, or what went wrong instead. */
export function outcomeKey(outcome: HttpOutcome): string {
  if (outcome.kind === 'response') return String(outcome.status);
  return outcome.kind === 'timeout' ? 'timeout' : 'conn-error';
}
