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

export type ParsedDocument<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * A configuration document (JSON a plant's engineers write: a tag mapping, a subscribers file)
 * parsed and validated as `type`, every problem reported as `path: reason`. `precheck` finds what the
 * class conversion would lose (an unknown discriminator, say) in the plain object first. Cross-field
 * rules are the caller's, once the fields are valid.
 */
export function parseJsonDocument<T extends object>(
  type: new () => T,
  text: string,
  options: { expected: string; precheck?: (plain: object) => string[] },
): ParsedDocument<T> {
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain))
    return { ok: false, errors: [options.expected] };
  const value = plainToInstance(type, plain);
  const errors = [
    ...(options.precheck?.(plain) ?? []),
    ...flattenErrors(validateSync(value, { forbidUnknownValues: false })).map(
      (e) => `${e.field}: ${e.messages.join(', ')}`,
    ),
  ];
  return errors.length ? { ok: false, errors } : { ok: true, value };
}
