import { natsGrantAndHandlers } from '@plantbridge/nats-config';
import { AppModule } from './app.module';
import { ProductionOrderSyncConfig } from './config';

it('its NATS user may consume exactly what its handlers consume', () => {
  const { granted, handled } = natsGrantAndHandlers(
    'production-order-sync',
    AppModule,
    ProductionOrderSyncConfig,
  );
  expect(granted).toEqual(handled);
});
