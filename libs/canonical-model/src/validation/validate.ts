import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import type { PayloadClass } from '../catalog/event-definition';
import { jsonShapeProblem } from './json-shape';

/** One broken rule of one field; `field` is a path such as `operations[0].operation`. */
export interface FieldError {
  field: string;
  messages: string[];
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Validates a plain object against a payload class and reports every field error, not the first.
 * Unknown fields are kept, not rejected: a consumer must accept payloads of a newer minor revision.
 */
export function validateAs<T extends object>(type: PayloadClass<T>, plain: unknown): Validated<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: '', messages: ['must be a JSON object'] }] };
  }
  const problem = jsonShapeProblem(plain);
  if (problem) return { ok: false, errors: [{ field: '', messages: [problem] }] };
  let value: T;
  let errors: ValidationError[];
  try {
    value = plainToInstance(type, plain);
    errors = validateSync(value, { forbidUnknownValues: true });
  } catch (error) {
    // Whatever else trips the libraries is this input's fault: refused with the reason, never thrown.
    return { ok: false, errors: [{ field: '', messages: [`cannot be read: ${(error as Error).message}`] }] };
  }
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors: flattenErrors(errors) };
}

export function flattenErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = joinPath(parent, error.property);
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenErrors(error.children ?? [], field)];
  });
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** `operations[0].operation: operation must match /^\d{4}$/; plant: …` */
export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field || '(root)'}: ${e.messages.join(', ')}`).join('; ');
}
