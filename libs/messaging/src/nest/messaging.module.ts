import { type DynamicModule, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JetStreamConnection, type NatsSettings } from '../connection/jetstream-connection';
import { NatsHealthIndicator } from '../health/nats.health';
import {
  canonicalStreams,
  DEFAULT_STREAM_SETTINGS,
  type StreamDeclaration,
  type StreamDefaults,
} from '../provisioning/declarations';
import { ensureStream } from '../provisioning/provisioner';
import { EventPublisher } from '../publishing/event-publisher';
import { JetStreamClientProxy } from './jetstream.client';

export interface MessagingModuleOptions {
  nats: NatsSettings;
  /**
   * `provision`: make the canonical streams on connect (needs an administrator's rights); `check`:
   * only check they exist and say which are missing (a least-privilege user; provisioning is then
   * its own step, `npm run provision`).
   */
  streamsMode?: 'provision' | 'check';
  streams?: Partial<StreamDefaults>;
  publishTimeoutMs?: number;
}

/** Closes the connection after everything else (consumers, outbox relay) has stopped using it. */
@Injectable()
class ConnectionLifecycle implements OnApplicationShutdown {
  constructor(private readonly connection: JetStreamConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

/**
 * The broker connection of a service, the publisher, the `ClientProxy` and the health indicator.
 * On connect it provisions the canonical streams (idempotent; an incompatible change is logged
 * and refused, never applied by deleting).
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const logger = new Logger('Messaging');
    return {
      module: MessagingModule,
      global: true,
      imports: [TerminusModule],
      providers: [
        {
          provide: JetStreamConnection,
          useFactory: () => {
            const connection = new JetStreamConnection(options.nats, logger);
            const streams = canonicalStreams({ ...DEFAULT_STREAM_SETTINGS, ...options.streams });
            connection.onConnected(() =>
              options.streamsMode === 'check'
                ? checkStreams(connection, streams, logger)
                : provisionStreams(connection, streams, logger),
            );
            connection.start();
            return connection;
          },
        },
        {
          provide: EventPublisher,
          useFactory: (connection: JetStreamConnection) =>
            new EventPublisher(connection, options.publishTimeoutMs),
          inject: [JetStreamConnection],
        },
        {
          provide: JetStreamClientProxy,
          useFactory: (connection: JetStreamConnection, publisher: EventPublisher) =>
            new JetStreamClientProxy(connection, publisher),
          inject: [JetStreamConnection, EventPublisher],
        },
        NatsHealthIndicator,
        ConnectionLifecycle,
      ],
      exports: [JetStreamConnection, EventPublisher, JetStreamClientProxy, NatsHealthIndicator],
    };
  }
}

async function provisionStreams(
  connection: JetStreamConnection,
  streams: StreamDeclaration[],
  logger: Logger,
): Promise<void> {
  for (const declaration of streams) {
    try {
      const result = await ensureStream(connection.manager(), declaration);
      if (result !== 'unchanged') logger.log(`stream ${declaration.name} ${result}`);
    } catch (error) {
      logger.error(`stream ${declaration.name}: ${(error as Error).message}`);
    }
  }
}

/** A least-privilege service cannot make streams: it says which are missing, and who makes them. */
async function checkStreams(
  connection: JetStreamConnection,
  streams: StreamDeclaration[],
  logger: Logger,
): Promise<void> {
  const missing: string[] = [];
  for (const declaration of streams) {
    try {
      await connection.manager().streams.info(declaration.name);
    } catch (error) {
      if (!/stream not found/i.test((error as Error).message)) throw error;
      missing.push(declaration.name);
    }
  }
  if (missing.length > 0) {
    logger.error(
      `streams ${missing.join(', ')} do not exist, and this service may not make them: provision them ` +
        "with an administrator (npm run provision; in Kubernetes the chart's provisioning Job)",
    );
  }
}
