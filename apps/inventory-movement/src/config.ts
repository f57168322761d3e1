import { ErpServiceConfig, IntSetting } from '@plantbridge/config';
import { IsIn, Length } from 'class-validator';

const SWITCH = ['true', 'false'];

/** Settings of inventory-movement; the shared ones are documented on ServiceConfig and in the README. */
export class InventoryMovementConfig extends ErpServiceConfig {
  override HTTP_PORT = 3003;

  /** Material documents carry the plant, and SAP's plant codes have 4 characters. */
  @Length(1, 4, {
    message: "PLANT_ID must be the plant's SAP code (1 to 4 characters) for material documents",
  })
  override PLANT_ID = 'P100';

  /**
   * How far an order movement may exceed what is still open, in percent: an issue beyond a
   * component's required minus withdrawn quantity, a receipt beyond the order quantity minus what
   * was received.
   */
  @IntSetting(0, 1000)
  MOVEMENT_TOLERANCE_PERCENT = 10;

  /** How long orders, components and materials read from ERP are used before they are read again. */
  @IntSetting(0)
  MASTER_DATA_MAX_AGE_MS = 5 * 60_000;

  /** `true`: the yield of each posted confirmation of an order's last operation is received (101). */
  @IsIn(SWITCH, { message: 'AUTO_GOODS_RECEIPT must be true or false' })
  AUTO_GOODS_RECEIPT = 'false';

  /**
   * `true`: each posted confirmation issues the backflushed components of its operation (261), in
   * proportion to its yield and scrap.
   */
  @IsIn(SWITCH, { message: 'AUTO_BACKFLUSH must be true or false' })
  AUTO_BACKFLUSH = 'false';

  /** How often the stock projection is compared with ERP's stock; 0: only on demand. */
  @IntSetting(0)
  STOCK_RECONCILE_EVERY_MS = 15 * 60_000;
}
