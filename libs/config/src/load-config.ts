import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

/**
 * Reads environment variables into a typed, validated object, once at boot. Every bad or missing
 * setting is named in one error, so an operator fixes them all in one go.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const config = plainToInstance(
    schema,
    { ...env },
    { enableImplicitConversion: true, excludeExtraneousValues: false },
  );
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length) throw new InvalidConfigError(errors.map((e) => describe(e, env[e.property])));
  return config;
}

/** Names the setting, the rules it breaks and the raw value it had (not the converted one). */
function describe(error: ValidationError, raw: string | undefined): string {
  const rules = Object.values(error.constraints ?? {}).join('; ');
  const shown = raw === undefined ? 'not set' : `got "${raw}"`;
  return `${error.property}: ${rules} (${shown})`;
}
