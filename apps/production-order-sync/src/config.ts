import { ErpServiceConfig, IntSetting } from '@plantbridge/config';
import { IsIn } from 'class-validator';

/** Settings of production-order-sync; the shared ones are documented on ServiceConfig and in the README. */
export class ProductionOrderSyncConfig extends ErpServiceConfig {
  override HTTP_PORT = 3002;

  /** How often ERP is asked for orders released to this plant. */
  @IntSetting(200)
  ORDER_POLL_MS = 5000;

  /** Each poll asks for orders changed since the last one minus this, so late ERP commits are not missed. */
  @IntSetting(0)
  ORDER_POLL_OVERLAP_MS = 60_000;

  /** How far the confirmed yield + scrap of an operation may exceed the order quantity, in percent. */
  @IntSetting(0, 1000)
  CONFIRMATION_TOLERANCE_PERCENT = 10;

  /** `true`: production counts from the edge gateway become confirmations without MES. */
  @IsIn(['true', 'false'], { message: 'AUTO_CONFIRM_COUNTS must be true or false' })
  AUTO_CONFIRM_COUNTS = 'false';
}
