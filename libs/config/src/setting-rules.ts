import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** A whole-number setting (ports, milliseconds, counts): converted from its string, range checked. */
export function IntSetting(min: number, max?: number): PropertyDecorator {
  return (target, key) => {
    Type(() => Number)(target, key);
    IsInt({ message: `${String(key)} must be a whole number` })(target, key);
    Min(min)(target, key);
    if (max !== undefined) Max(max)(target, key);
  };
}
