import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { runSql, tableName } from '@plantbridge/persistence';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ErpPostingRecord, type PostingState, postingReference } from '../erp-postings/erp-posting.entity';
import { ConfirmationRecord, confirmationTable } from './confirmation.entity';
import { type ConfirmationView, toConfirmationView } from './confirmation.views';

/** Postings a worker may still be taking to ERP. */
const OPEN_STATES: PostingState[] = ['pending', 'in-flight', 'in-doubt'];

/** Confirmations with their ledger state, as MES sees them. */
@Injectable()
export class ConfirmationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async view(plant: string, manufacturingOrder: string, id: string): Promise<ConfirmationView> {
    const manager = this.dataSource.manager;
    const confirmation = await manager.findOneBy(ConfirmationRecord, { id, plant, manufacturingOrder });
    const posting = confirmation && (await manager.findOneBy(ErpPostingRecord, { postingKey: id }));
    if (!confirmation || !posting) {
      throw new NotFoundException(
        `confirmation ${id} of order ${manufacturingOrder} is not known in plant ${plant}`,
      );
    }
    return toConfirmationView(confirmation, posting);
  }

  async listForOrder(plant: string, manufacturingOrder: string): Promise<ConfirmationView[]> {
    const manager = this.dataSource.manager;
    const confirmations = await manager.find(ConfirmationRecord, {
      where: { plant, manufacturingOrder },
      order: { acceptedAt: 'ASC', id: 'ASC' },
    });
    const postings = await manager.findBy(ErpPostingRecord, {
      postingKey: In(confirmations.map((c) => c.id)),
    });
    const byKey = new Map(postings.map((p) => [p.postingKey, p]));
    return confirmations.flatMap((c) => {
      const posting = byKey.get(c.id);
      return posting ? [toConfirmationView(c, posting)] : [];
    });
  }

  /**
   * What `c` waits for, if anything: ERP must see an operation's confirmations in the order the
   * plant made them (a partial after the final one would be refused or misread), so an earlier
   * confirmation of the same order operation that ERP does not have yet holds it back. `failed` says
   * that one, or one before it, is in the exception queue: then `c` waits for an operator (retry or
   * discard), not for a worker, and `key` names the failed one. Inside a transaction pass its
   * manager: a second connection taken while the transaction holds one deadlocks the pool once
   * every connection is held that way (ten concurrent retries wedged the service).
   */
  async waitingFor(
    c: ConfirmationRecord,
    tx?: EntityManager,
  ): Promise<{ key: string; failed: boolean } | undefined> {
    const earlier = await this.neighbour(c, 'before', [...OPEN_STATES, 'failed'], tx);
    if (!earlier) return undefined;
    if (earlier.state === 'failed') return { key: earlier.id, failed: true };
    // Only when held back at all: the open one may itself wait behind a failed one.
    const failed = await this.neighbour(c, 'before', ['failed'], tx);
    return { key: failed?.id ?? earlier.id, failed: failed !== undefined };
  }

  /** `nextOpen` of the confirmation with this id. */
  async nextOpenAfter(id: string): Promise<string | undefined> {
    const c = await this.get(id);
    return c ? this.nextOpen(c) : undefined;
  }

  /** The next confirmation of the same order operation that ERP does not have yet, if any. */
  async nextOpen(c: ConfirmationRecord): Promise<string | undefined> {
    return (await this.neighbour(c, 'after', OPEN_STATES))?.id;
  }

  /**
   * The nearest confirmation of the same order operation before or after `c` in ledger order (its
   * posting's `created_at`, which is the confirmation's acceptance time, then the key), in a posting
   * state. One seek in the ledger's index of open postings (migration 1764180000000), so the cost
   * does not grow with a backlog or with what the operation already has in ERP.
   */
  private async neighbour(
    c: ConfirmationRecord,
    side: 'before' | 'after',
    states: PostingState[],
    tx?: EntityManager,
  ): Promise<{ id: string; state: PostingState } | undefined> {
    const [op, direction] = side === 'before' ? ['<', 'DESC'] : ['>', 'ASC'];
    const manager = tx ?? this.dataSource.manager;
    const { rows } = await runSql<{ id: string; state: PostingState }>(
      manager,
      `SELECT posting_key AS id, state FROM ${tableName(manager, ErpPostingRecord)} ` +
        `WHERE plant = ? AND reference = ? AND state IN (${states.map(() => '?').join(', ')}) ` +
        // A row value, so the index is searched from this posting on, not filtered.
        `AND (created_at, posting_key) ${op} (?, ?) ` +
        `ORDER BY created_at ${direction}, posting_key ${direction} LIMIT 1`,
      [c.plant, postingReference(c.manufacturingOrder, c.operation), ...states, c.acceptedAt, c.id],
    );
    return rows[0];
  }

  get(id: string, tx?: EntityManager): Promise<ConfirmationRecord | null> {
    return confirmationTable.findOne(tx ?? this.dataSource.manager, { id });
  }
}
