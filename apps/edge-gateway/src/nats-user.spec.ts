import { natsGrantAndHandlers } from '@plantbridge/nats-config';
import { AppModule } from './app.module';
import { EdgeGatewayConfig } from './config';

it('its NATS user may consume exactly what its handlers consume', () => {
  const { granted, handled } = natsGrantAndHandlers('edge-gateway', AppModule, EdgeGatewayConfig);
  expect(granted).toEqual(handled);
});
