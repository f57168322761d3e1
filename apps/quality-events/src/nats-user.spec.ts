import { natsGrantAndHandlers } from '@plantbridge/nats-config';
import { AppModule } from './app.module';
import { QualityEventsConfig } from './config';

it('its NATS user may consume exactly what its handlers consume', () => {
  const { granted, handled } = natsGrantAndHandlers('quality-events', AppModule, QualityEventsConfig);
  expect(granted).toEqual(handled);
});
