import type { PipeTransform } from '@nestjs/common';
import { validateAs } from '@plantbridge/canonical-model';
import { badRequest } from './validation';

/**
 * Checks a path parameter with a field rule of canonical-model (`IsOrderNumber`, …), so a path
 * segment obeys the same rule as the field it names in bodies and events: `…/production-orders/%00`
 * was a 500 (PostgreSQL refuses NUL in text) and is now a 400 naming `order`.
 *
 *   @Param('order', paramRule('order', IsOrderNumber)) order: string
 */
export function paramRule(name: string, rule: () => PropertyDecorator): PipeTransform<string, string> {
  class Param {}
  rule()(Param.prototype, name);
  return {
    transform(value: string): string {
      const checked = validateAs(Param, { [name]: value });
      if (!checked.ok) {
        throw badRequest(checked.errors.map((e) => ({ field: name, reason: e.messages.join(', ') })));
      }
      return value;
    },
  };
}
