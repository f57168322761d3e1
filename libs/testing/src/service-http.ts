import { DataSource } from 'typeorm';
import type { TestSchema } from './database';
import { uniqueToken } from './environment';

// Responses are asserted field by field (toMatchObject); a loose body type keeps the tests readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

/**
 * A test's HTTP client of a service under test: JSON bodies, a bearer token on every request
 * (`token`, settable), and a fresh Idempotency-Key on every POST unless the test gives one.
 */
export class ServiceHttp {
  constructor(
    private readonly base: () => string,
    public token?: string,
  ) {}

  get baseUrl(): string {
    return this.base();
  }

  async request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const started = performance.now();
    const auth: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
      ms: performance.now() - started,
    };
  }

  get<T = Json>(path: string): Promise<HttpResult<T>> {
    return this.request<T>('GET', path);
  }

  /** A POST with an Idempotency-Key (a fresh one unless given; `null` sends none). */
  post<T = Json>(
    path: string,
    body: unknown,
    key: string | null = uniqueToken('k'),
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    return this.request<T>(
      'POST',
      path,
      body,
      key === null ? headers : { 'idempotency-key': key, ...headers },
    );
  }
}

/** A statement on a test schema (tables unqualified), e.g. to set up a broken row or read one. */
export async function sqlOnSchema<T = Json>(
  schema: TestSchema,
  statement: string,
  parameters: unknown[] = [],
): Promise<T[]> {
  const db = new DataSource({ type: 'postgres', url: schema.url, schema: schema.schema });
  await db.initialize();
  try {
    await db.query(`SET search_path TO ${schema.schema}`);
    return (await db.query(statement, parameters)) as T[];
  } finally {
    await db.destroy();
  }
}
