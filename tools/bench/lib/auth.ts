import { join } from 'node:path';
import { LocalIssuer } from '@plantbridge/token-issuer';

export interface BenchAuth {
  /** What a service needs to accept the run's tokens, and no rate limit: one client sends it all. */
  env: Record<string, string>;
  /** A token that may do everything in the run's plants (management:read for /metrics too). */
  token: string;
  /** `authorization: Bearer <token>`, for a request's headers. */
  headers: Record<string, string>;
}

/**
 * Auth for a benchmark run, as the services have it in production (AUTH_MODE=jwt, every request
 * verified): a local issuer with its keys in the run's scratch folder `dir`. The rate limit is off
 * (RATE_LIMIT_PER_S=0): the load generator is one client sending thousands of requests a second.
 */
export async function benchAuth(dir: string, plants: string[]): Promise<BenchAuth> {
  const issuer = await LocalIssuer.inFolder(join(dir, 'auth'));
  const token = await issuer.tokenForEverything(plants, 'plantbridge-bench');
  return {
    env: { ...issuer.env(), RATE_LIMIT_PER_S: '0' },
    token,
    headers: { authorization: `Bearer ${token}` },
  };
}
