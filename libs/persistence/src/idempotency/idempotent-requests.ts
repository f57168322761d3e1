import { createHash } from 'node:crypto';
import { EntityTable } from '../entity-table';
import type { Transaction, UnitOfWork } from '../unit-of-work';
import { isUniqueViolation } from '../unique-violation';
import { IdempotencyRecord } from './idempotency-record.entity';

const records = new EntityTable(IdempotencyRecord);

/** The key was used before for a different request (other path or body). */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was already used for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

export interface IdempotentResponse<T> {
  statusCode: number;
  body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** What identifies a request for idempotency: method, path and body. */
export interface RequestIdentity {
  method: string;
  path: string;
  body: unknown;
}

/**
 * `Idempotency-Key` handling for state-changing requests. The effect and the stored response commit
 * in one transaction, so a replay after a timeout, a crash or a lost response returns the first
 * response and never applies the effect twice. Requests that fail are not stored: fixing the cause
 * and retrying with the same key works.
 */
export class IdempotentRequests {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  async execute<T>(
    key: string,
    request: RequestIdentity,
    work: (tx: Transaction) => Promise<{ statusCode: number; body: T }>,
  ): Promise<IdempotentResponse<T>> {
    const requestHash = hashRequest(request);
    try {
      return await this.unitOfWork.run(async (tx) => {
        const earlier = await records.findOne(tx.manager, { key });
        if (earlier) return replay<T>(earlier, requestHash);
        const { statusCode, body } = await work(tx);
        await records.insert(tx.manager, {
          key,
          requestHash,
          statusCode,
          responseBody: JSON.stringify(body),
          createdAt: new Date().toISOString(),
        });
        return { statusCode, body, replayed: false };
      });
    } catch (error) {
      // The same key raced in from another request and committed first: answer as it did.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.unitOfWork.transaction((manager) =>
        manager.findOneBy(IdempotencyRecord, { key }),
      );
      if (!winner) throw error;
      return replay<T>(winner, requestHash);
    }
  }
}

function replay<T>(record: IdempotencyRecord, requestHash: string): IdempotentResponse<T> {
  if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError(record.key);
  return { statusCode: record.statusCode, body: JSON.parse(record.responseBody) as T, replayed: true };
}

export function hashRequest(request: RequestIdentity): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.path}\n${stableJson(request.body)}`)
    .digest('hex');
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
