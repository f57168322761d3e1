import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ErpBusinessError,
  type ErpMaterial,
  type ErpOrder,
  type ErpOrderComponent,
  MaterialMasterPort,
  OrderComponentsPort,
  ProductionOrdersPort,
} from '@plantbridge/erp';
import { isUniqueViolation } from '@plantbridge/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { InventoryMovementConfig } from '../config';
import { type ErpMaterialRecord, erpMaterialTable } from './erp-material.entity';
import { type ErpOrderRecord, erpOrderTable } from './erp-order.entity';

/**
 * What the movement checks need from ERP (orders with their operations and components, materials at
 * the plant), kept in the service's database. A copy older than MASTER_DATA_MAX_AGE_MS is read again
 * before a check uses it; while ERP is away the last copy is used, so the MES keeps moving material
 * of the orders it works on. Released orders are read ahead (OrderReleasedHandler).
 */
@Injectable()
export class MasterData {
  private readonly logger = new Logger(MasterData.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: ProductionOrdersPort,
    private readonly components: OrderComponentsPort,
    private readonly materials: MaterialMasterPort,
    @Inject(InventoryMovementConfig) private readonly config: InventoryMovementConfig,
  ) {}

  /**
   * Makes the stored copies of an order and materials fresh enough for a check, reading ERP where
   * needed. 404 when ERP does not know the order; 503 when ERP cannot be asked and there is no copy.
   */
  async prepare(plant: string, need: { order?: string; materials: string[] }): Promise<Prepared> {
    const order = need.order ? await this.refreshOrder(plant, need.order) : undefined;
    const materials = new Map<string, ErpMaterialRecord | null>();
    for (const material of new Set(need.materials))
      materials.set(material, await this.refreshMaterial(plant, material));
    return { order, materials };
  }

  private order(manager: EntityManager, manufacturingOrder: string): Promise<ErpOrderRecord | null> {
    return erpOrderTable.findOne(manager, { manufacturingOrder });
  }

  private material(
    manager: EntityManager,
    plant: string,
    material: string,
  ): Promise<ErpMaterialRecord | null> {
    return erpMaterialTable.findOne(manager, { plant, material });
  }

  /** Reads an order and its components from ERP unless the copy is fresh (`force`: always). */
  async refreshOrder(plant: string, manufacturingOrder: string, force = false): Promise<ErpOrderRecord> {
    const stored = await this.order(this.dataSource.manager, manufacturingOrder);
    if (stored && !force && this.isFresh(stored.fetchedAt)) return this.ofPlant(stored, plant);
    let read: { order: ErpOrder | undefined; components: ErpOrderComponent[] };
    try {
      const order = await this.orders.getOrder(manufacturingOrder);
      read = {
        order,
        components: order ? await this.components.listOrderComponents(manufacturingOrder) : [],
      };
    } catch (error) {
      // ERP answered and refused the read: no copy makes it readable.
      if (error instanceof ErpBusinessError)
        throw new NotFoundException(`order ${manufacturingOrder} cannot be read from ERP: ${error.message}`);
      if (stored && !force)
        return this.ofPlant(this.usingCopy(stored, `order ${manufacturingOrder}`, error), plant);
      throw this.unreachable(`order ${manufacturingOrder}`, error);
    }
    if (!read.order) throw new NotFoundException(`order ${manufacturingOrder} is not known in ERP`);
    const record = toOrderRecord(read.order, read.components);
    await ignoringRace(() =>
      stored
        ? erpOrderTable.update(this.dataSource.manager, { manufacturingOrder }, record)
        : erpOrderTable.insert(this.dataSource.manager, record),
    );
    return this.ofPlant(record, plant);
  }

  /** Reads a material at the plant from ERP unless the copy is fresh; null when ERP does not know it there. */
  async refreshMaterial(plant: string, material: string, force = false): Promise<ErpMaterialRecord | null> {
    const stored = await this.material(this.dataSource.manager, plant, material);
    if (stored && !force && this.isFresh(stored.fetchedAt)) return stored;
    let read: ErpMaterial | undefined;
    try {
      read = await this.materials.getMaterial(material, plant);
    } catch (error) {
      if (error instanceof ErpBusinessError)
        throw new UnprocessableEntityException(
          `material: ${material} cannot be read from ERP at plant ${plant}: ${error.message}`,
        );
      if (stored && !force) return this.usingCopy(stored, `material ${material}`, error);
      throw this.unreachable(`material ${material} at plant ${plant}`, error);
    }
    if (!read) return null;
    const record = toMaterialRecord(read);
    await ignoringRace(() =>
      stored
        ? erpMaterialTable.update(this.dataSource.manager, { plant, material }, record)
        : erpMaterialTable.insert(this.dataSource.manager, record),
    );
    return record;
  }

  private isFresh(fetchedAt: string): boolean {
    return Date.now() - Date.parse(fetchedAt) < this.config.MASTER_DATA_MAX_AGE_MS;
  }

  private ofPlant(order: ErpOrderRecord, plant: string): ErpOrderRecord {
    if (order.plant !== plant)
      throw new NotFoundException(`order ${order.manufacturingOrder} is not an order of plant ${plant}`);
    return order;
  }

  private usingCopy<T extends { fetchedAt: string }>(stored: T, what: string, error: unknown): T {
    this.logger.warn(
      `ERP could not be asked for ${what} (${describe(error)}); using the copy of ${stored.fetchedAt}`,
    );
    return stored;
  }

  private unreachable(what: string, error: unknown): ServiceUnavailableException {
    return new ServiceUnavailableException(
      `ERP could not be asked for ${what} and no copy of it is kept here yet (${describe(error)}); try again later`,
    );
  }
}

/** What a check uses: the order (when the movement names one) and each material, null when ERP does not know it. */
export interface Prepared {
  order?: ErpOrderRecord;
  materials: Map<string, ErpMaterialRecord | null>;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An insert that lost a race with another request's insert of the same copy changes nothing. */
async function ignoringRace(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

function toOrderRecord(order: ErpOrder, components: ErpOrderComponent[]): ErpOrderRecord {
  return {
    manufacturingOrder: order.manufacturingOrder,
    plant: order.plant,
    material: order.material,
    totalQuantity: order.totalQuantity,
    unit: order.unit,
    storageLocation: order.storageLocation ?? null,
    erpStatus: order.status,
    operations: order.operations.map((o) => o.operation),
    components: components.filter((c) => !c.markedForDeletion),
    fetchedAt: new Date().toISOString(),
  };
}

function toMaterialRecord(material: ErpMaterial): ErpMaterialRecord {
  return { ...material, fetchedAt: new Date().toISOString() };
}
