import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PostingLedger } from '@plantbridge/erp-posting';
import type { DataSource, EntityManager } from 'typeorm';
import { ConfirmationRecord, confirmationTable } from './confirmation.entity';
import { type ConfirmationView, toConfirmationView } from './confirmation.views';

/** Confirmations with their ledger state, as MES sees them. */
@Injectable()
export class ConfirmationRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: PostingLedger,
  ) {}

  async view(plant: string, manufacturingOrder: string, id: string): Promise<ConfirmationView> {
    const manager = this.dataSource.manager;
    const confirmation = await manager.findOneBy(ConfirmationRecord, { id, plant, manufacturingOrder });
    const posting = confirmation && (await this.ledger.find(id));
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
    const postings = await this.ledger.findMany(confirmations.map((c) => c.id));
    const byKey = new Map(postings.map((p) => [p.postingKey, p]));
    return confirmations.flatMap((c) => {
      const posting = byKey.get(c.id);
      return posting ? [toConfirmationView(c, posting)] : [];
    });
  }

  get(id: string, tx?: EntityManager): Promise<ConfirmationRecord | null> {
    return confirmationTable.findOne(tx ?? this.dataSource.manager, { id });
  }
}
