import { ServiceConfig } from '@plantbridge/config';

/** Settings of inventory-movement; the shared ones are documented on ServiceConfig and in the README. */
export class InventoryMovementConfig extends ServiceConfig {
  override HTTP_PORT = 3003;
}
