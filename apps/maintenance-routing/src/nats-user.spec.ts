import { natsGrantAndHandlers } from '@plantbridge/nats-config';
import { AppModule } from './app.module';
import { MaintenanceRoutingConfig } from './config';

it('its NATS user may consume exactly what its handlers consume', () => {
  const { granted, handled } = natsGrantAndHandlers(
    'maintenance-routing',
    AppModule,
    MaintenanceRoutingConfig,
  );
  expect(granted).toEqual(handled);
});
