import { Type } from 'class-transformer';
import { accessSync, constants } from 'node:fs';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';

/** A whole-number setting (ports, milliseconds, counts): converted from its string, range checked. */
export function IntSetting(min: number, max?: number): PropertyDecorator {
  return (target, key) => {
    Type(() => Number)(target, key);
    IsInt({ message: `${String(key)} must be a whole number` })(target, key);
    Min(min)(target, key);
    if (max !== undefined) Max(max)(target, key);
  };
}

/** An IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`). */
export function IsTimeZone(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (value) => {
        if (typeof value !== 'string' || value === '') return false;
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: value });
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) => `${args?.property ?? 'value'} must be an IANA time zone, e.g. Europe/Berlin`,
    },
  });
}

/** A path to a file this process can read (a certificate, a key). */
export function IsReadableFile(): PropertyDecorator {
  return ValidateBy({
    name: 'isReadableFile',
    validator: {
      validate: (value) => {
        if (typeof value !== 'string' || value === '') return false;
        try {
          accessSync(value, constants.R_OK);
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) => `${args?.property ?? 'value'} must name a file this process can read`,
    },
  });
}
