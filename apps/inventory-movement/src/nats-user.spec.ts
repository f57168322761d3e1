import { natsGrantAndHandlers } from '@plantbridge/nats-config';
import { AppModule } from './app.module';
import { InventoryMovementConfig } from './config';

it('its NATS user may consume exactly what its handlers consume', () => {
  const { granted, handled } = natsGrantAndHandlers('inventory-movement', AppModule, InventoryMovementConfig);
  expect(granted).toEqual(handled);
});
