import { readFileSync } from 'node:fs';
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
    { ...env, ...secretsFromFiles(env) },
    { enableImplicitConversion: true, excludeExtraneousValues: false },
  );
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length) throw new InvalidConfigError(errors.map((e) => describe(e, env[e.property])));
  return config;
}

/**
 * Secrets may be given as a file instead (`ERP_PASSWORD_FILE=/run/secrets/erp-password`), as
 * Kubernetes and Docker mount them, so they need not sit in the environment; the file's content,
 * without a trailing line break, is the value. A file that cannot be read is a configuration error.
 */
export const SECRET_SETTINGS = [
  'NATS_PASSWORD',
  'ERP_PASSWORD',
  'ERP_OAUTH_CLIENT_SECRET',
  'ERP_CLIENT_KEY_PASSPHRASE',
];

function secretsFromFiles(env: NodeJS.ProcessEnv): Record<string, string> {
  const secrets: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name] !== undefined) problems.push(`${name}: set both ${name} and ${name}_FILE; set one`);
    try {
      secrets[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  if (problems.length) throw new InvalidConfigError(problems);
  return secrets;
}

/** Names the setting, the rules it breaks and the raw value it had (not the converted one). */
function describe(error: ValidationError, raw: string | undefined): string {
  const rules = Object.values(error.constraints ?? {}).join('; ');
  const shown = raw === undefined ? 'not set' : `got "${raw}"`;
  return `${error.property}: ${rules} (${shown})`;
}
