import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ErpPostingRecord, PostingLedger, type PostingState } from '@plantbridge/erp-posting';
import { runSql, tableName } from '@plantbridge/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { MaterialMovementRecord, movementTable } from './material-movement.entity';
import { type MovementDocument, parseMaterialDocumentKey } from './movement-document';
import type { MovementListQuery, MovementStatus } from './movement.requests';
import { STATES_OF_STATUS, type MovementView, toMovementView } from './movement.views';

/** Movements with their ledger state, as MES sees them, and what a posting of one sends. */
@Injectable()
export class MovementRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: PostingLedger,
  ) {}

  get(id: string, manager?: EntityManager): Promise<MaterialMovementRecord | null> {
    return movementTable.findOne(manager ?? this.dataSource.manager, { id });
  }

  /**
   * The movement that reverses this one, if any: one whose posting was not discarded (a discarded
   * reversal reversed nothing, and another may be asked for).
   */
  async reversalOf(id: string, manager = this.dataSource.manager): Promise<MaterialMovementRecord | null> {
    const { rows } = await runSql(
      manager,
      `SELECT m.* FROM ${tableName(manager, MaterialMovementRecord)} m ` +
        `JOIN ${tableName(manager, ErpPostingRecord)} p ON p.posting_key = m.id ` +
        'WHERE m.reverses_movement_key = ? AND p.state <> ? LIMIT 1',
      [id, 'discarded' satisfies PostingState],
    );
    return rows[0] ? movementTable.fromRow(manager, rows[0]) : null;
  }

  /** What the posting of a movement sends; null when there is no such movement. */
  async document(id: string, manager?: EntityManager): Promise<MovementDocument | null> {
    const movement = await this.get(id, manager);
    if (!movement?.reversesMovementKey) return movement && { movement };
    const original = await this.get(movement.reversesMovementKey, manager);
    const erpDocument = parseMaterialDocumentKey(
      (await this.ledger.find(movement.reversesMovementKey, manager))?.erpDocument,
    );
    // Accepted only once the original was posted (see AcceptMovement.reverse), so both are there.
    if (!original || !erpDocument)
      throw new Error(`movement ${id} reverses ${movement.reversesMovementKey}, which has no ERP document`);
    return { movement, reverses: { movement: original, erpDocument } };
  }

  async view(plant: string, id: string): Promise<MovementView> {
    const movement = await this.get(id);
    const posting = movement?.plant === plant ? await this.ledger.find(id) : null;
    if (!movement || !posting) throw new NotFoundException(`movement ${id} is not known in plant ${plant}`);
    const reversal = await this.reversalOf(id);
    return toMovementView(movement, posting, reversal?.id);
  }

  /** The plant's movements, newest first, with the query's filters. */
  async list(plant: string, query: MovementListQuery): Promise<MovementView[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(MaterialMovementRecord, 'm')
      .innerJoin(ErpPostingRecord, 'p', 'p.postingKey = m.id')
      .where('m.plant = :plant', { plant })
      .andWhere(query.order ? 'm.manufacturingOrder = :order' : '1=1', { order: query.order })
      .andWhere(query.material ? 'm.material = :material' : '1=1', { material: query.material })
      .andWhere(query.batch ? 'm.batch = :batch' : '1=1', { batch: query.batch })
      .andWhere(query.from ? 'm.occurredAt >= :from' : '1=1', { from: query.from && iso(query.from) })
      .andWhere(query.to ? 'm.occurredAt < :to' : '1=1', { to: query.to && iso(query.to) })
      .andWhere(query.status ? 'p.state IN (:...states)' : '1=1', {
        states: query.status ? STATES_OF_STATUS[query.status] : [],
      })
      .orderBy('m.acceptedAt', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(query.limit ?? 100)
      .getMany();
    const postings = new Map(
      (await this.ledger.findMany(rows.map((m) => m.id))).map((p) => [p.postingKey, p]),
    );
    const reversals = await this.reversalsOf(rows.map((m) => m.id));
    return rows.flatMap((m) => {
      const posting = postings.get(m.id);
      return posting ? [toMovementView(m, posting, reversals.get(m.id))] : [];
    });
  }

  /**
   * The net quantity of the movements of a kind accepted for an order (and component), reversals
   * taken off, that ERP holds or may still get: every state but discarded.
   */
  async orderQuantity(
    manager: EntityManager,
    where: {
      plant: string;
      manufacturingOrder: string;
      goodsMovementType: '101' | '261';
      reservation?: string;
      reservationItem?: string;
    },
  ): Promise<number> {
    const reversing = String(Number(where.goodsMovementType) + 1);
    const byComponent = where.reservation ? ' AND m.reservation = ? AND m.reservation_item = ?' : '';
    const { rows } = await runSql<{ total: number | string | null }>(
      manager,
      `SELECT SUM(CASE WHEN m.goods_movement_type = ? THEN -m.quantity ELSE m.quantity END) AS total ` +
        `FROM ${tableName(manager, MaterialMovementRecord)} m JOIN ${tableName(manager, ErpPostingRecord)} p ` +
        `ON p.posting_key = m.id WHERE m.plant = ? AND m.manufacturing_order = ? ` +
        `AND m.goods_movement_type IN (?, ?) AND p.state <> ?${byComponent}`,
      [
        reversing,
        where.plant,
        where.manufacturingOrder,
        where.goodsMovementType,
        reversing,
        'discarded' satisfies PostingState,
        ...(where.reservation ? [where.reservation, where.reservationItem] : []),
      ],
    );
    return Number(rows[0]?.total ?? 0);
  }

  private async reversalsOf(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.manager
      .createQueryBuilder(MaterialMovementRecord, 'm')
      .innerJoin(ErpPostingRecord, 'p', 'p.postingKey = m.id')
      .where('m.reversesMovementKey IN (:...ids)', { ids })
      .andWhere('p.state <> :discarded', { discarded: 'discarded' satisfies PostingState })
      .getMany();
    return new Map(rows.map((r) => [r.reversesMovementKey as string, r.id]));
  }
}

const iso = (timestamp: string) => new Date(timestamp).toISOString();

export type { MovementStatus };
