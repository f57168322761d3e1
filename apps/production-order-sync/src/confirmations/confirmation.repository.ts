import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ErpPostingRecord } from '../erp-postings/erp-posting.entity';
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

  get(id: string, tx?: EntityManager): Promise<ConfirmationRecord | null> {
    return (tx ?? this.dataSource.manager).findOneBy(ConfirmationRecord, { id });
  }
}
