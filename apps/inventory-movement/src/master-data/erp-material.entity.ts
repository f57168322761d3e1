import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A material at the plant as last read from ERP's material master (see ErpOrderRecord for why). */
@Entity({ name: 'erp_material' })
export class ErpMaterialRecord {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  plant!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  material!: string;

  @Column({ name: 'base_unit', type: 'varchar', length: 3 })
  baseUnit!: string;

  @Column({ name: 'batch_managed', type: 'boolean' })
  batchManaged!: boolean;

  @Column({ name: 'posts_to_inspection_stock', type: 'boolean' })
  postsToInspectionStock!: boolean;

  @Column({ name: 'storage_locations', type: 'simple-json' })
  storageLocations!: string[];

  @Column({ name: 'fetched_at', type: 'varchar', length: 30 })
  fetchedAt!: string;
}

export const erpMaterialTable = new EntityTable(ErpMaterialRecord);
