import { EventPublisher, JetStreamConnection } from '@plantbridge/messaging';
import { uniqueToken } from '@plantbridge/testing';
import { progress } from './report';

/**
 * Messages/s this machine's JetStream takes through EventPublisher with up to 1,000 acks
 * outstanding, for messages of `payloadBytes` on `subject`: the raw ceiling a service is compared with.
 */
export async function jetStreamPublishCeiling(
  url: string,
  subject: string,
  payloadBytes: number,
  durationMs: number,
): Promise<number> {
  const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const connection = new JetStreamConnection({ url, name: 'bench-ceiling' }, logger);
  connection.start();
  await connection.whenConnected();
  const publisher = new EventPublisher(connection);
  const data = JSON.stringify({ padding: 'x'.repeat(Math.max(0, payloadBytes - 14)) });
  let published = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    await Promise.all(
      Array.from({ length: 1000 }, () =>
        publisher.publishRaw({ subject, data, msgId: uniqueToken('m'), headers: {} }),
      ),
    );
    published += 1000;
  }
  const perSecond = published / ((performance.now() - started) / 1000);
  await connection.close();
  return perSecond;
}

/** The ceiling for confirmation-sized events (about 700 bytes) of `plant`, measured for 5 s. */
export function confirmationPublishCeiling(url: string, plant: string): Promise<number> {
  progress('ceiling: JetStream publish with acks outstanding, 5 s');
  return jetStreamPublishCeiling(url, `mfg.production.v1.${plant}.bench-ceiling`, 700, 5000);
}

/**
 * Publish-to-acknowledgement latency of JetStream, one message at a time, for messages of
 * `payloadBytes`: what a service's own sample-to-ack p99 is compared with.
 */
export async function jetStreamPublishLatency(
  url: string,
  subject: string,
  payloadBytes: number,
  count: number,
): Promise<number[]> {
  const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const connection = new JetStreamConnection({ url, name: 'bench-latency' }, logger);
  connection.start();
  await connection.whenConnected();
  const publisher = new EventPublisher(connection);
  const data = JSON.stringify({ padding: 'x'.repeat(Math.max(0, payloadBytes - 14)) });
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await publisher.publishRaw({ subject, data, msgId: uniqueToken('m'), headers: {} });
    latencies.push(performance.now() - started);
  }
  await connection.close();
  return latencies;
}
