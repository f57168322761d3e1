import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ErpPostingRecord, type PostingState } from '../erp-postings/erp-posting.entity';
import { ConfirmationRecord } from './confirmation.entity';
import { type ConfirmationView, toConfirmationView } from './confirmation.views';

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
   * An earlier confirmation of the same order operation that ERP does not have yet (pending, in
   * flight or in doubt), if any: ERP must see an operation's confirmations in the order the plant
   * made them (a partial after the final one would be refused or misread).
   */
  earlierUnposted(c: ConfirmationRecord): Promise<string | undefined> {
    return this.neighbour(c, 'before', ['pending', 'in-flight', 'in-doubt']);
  }

  /** The next confirmation of the same order operation still waiting to be posted (pending), if any. */
  nextPending(c: ConfirmationRecord): Promise<string | undefined> {
    return this.neighbour(c, 'after', ['pending']);
  }

  /** The nearest confirmation of the same order operation before or after `c`, in a posting state. */
  private async neighbour(
    c: ConfirmationRecord,
    side: 'before' | 'after',
    states: PostingState[],
  ): Promise<string | undefined> {
    const op = side === 'before' ? '<' : '>';
    const row = await this.dataSource.manager
      .createQueryBuilder(ConfirmationRecord, 'c')
      .innerJoin(ErpPostingRecord, 'p', 'p.posting_key = c.id')
      .select('c.id', 'id')
      .where('c.plant = :plant AND c.manufacturing_order = :order AND c.operation = :operation', {
        plant: c.plant,
        order: c.manufacturingOrder,
        operation: c.operation,
      })
      .andWhere('p.state IN (:...states)', { states })
      .andWhere(`(c.accepted_at ${op} :at OR (c.accepted_at = :at AND c.id ${op} :id))`, {
        at: c.acceptedAt,
        id: c.id,
      })
      .orderBy('c.accepted_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(1)
      .getRawOne<{ id: string }>();
    return row?.id;
  }

  get(id: string, tx?: EntityManager): Promise<ConfirmationRecord | null> {
    return (tx ?? this.dataSource.manager).findOneBy(ConfirmationRecord, { id });
  }
}
