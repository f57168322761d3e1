// Test fixture run as its own process: consumes one confirmation, commits its effect through the
// inbox, then dies with SIGKILL before it can ack. Arguments: a JSON object of the settings below.
import { causedBy, createEvent, Production } from '@plantbridge/canonical-model';
import {
  DEFAULT_RETRY_POLICY,
  EventConsumer,
  EventPublisher,
  JetStreamConnection,
} from '@plantbridge/messaging';
import { Inbox, UnitOfWork } from '../src';
import { openDataSource } from './databases';

interface Settings {
  natsUrl: string;
  database: Parameters<typeof openDataSource>[0];
  stream: string;
  durable: string;
  filterSubject: string;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as Settings;
  const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const connection = new JetStreamConnection({ url: settings.natsUrl, name: 'crashing-consumer' }, quiet);
  connection.start();
  await connection.whenConnected();
  const dataSource = await openDataSource(settings.database);
  const inbox = new Inbox(new UnitOfWork(dataSource));
  const consumer = new EventConsumer(
    connection,
    new EventPublisher(connection),
    {
      declaration: {
        stream: settings.stream,
        durable: settings.durable,
        filterSubject: settings.filterSubject,
        ackWaitMs: 2000,
        maxAckPending: 10,
      },
      concurrency: 1,
      retry: DEFAULT_RETRY_POLICY,
    },
    async (event, delivery) => {
      await inbox.processOnce(delivery.durable, event.id, (tx) =>
        tx.publish(
          createEvent(
            Production.OperationConfirmedV1Event,
            event.data as Production.OperationConfirmedV1,
            causedBy(event, '/test/effect'),
          ),
        ),
      );
      process.kill(process.pid, 'SIGKILL'); // the effect is committed; the ack never leaves
    },
    quiet,
  );
  await consumer.start();
}

void main();
