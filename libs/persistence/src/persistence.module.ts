import {
  type DynamicModule,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { EventPublisher } from '@plantbridge/messaging';
import type { DataSource } from 'typeorm';
import { type DatabaseSettings, dataSourceOptionsFor } from './data-source';
import { IdempotentRequests } from './idempotency/idempotent-requests';
import { Inbox } from './inbox/inbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';
import { DEFAULT_RETENTION, RetentionSweeper, type RetentionOptions } from './retention/retention-sweeper';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { UnitOfWork } from './unit-of-work';

export interface PersistenceModuleOptions extends DatabaseSettings {
  relay?: Partial<OutboxRelayOptions>;
  retention?: Partial<RetentionOptions>;
  /** Check each event against the canonical rules before the outbox stores it (default true). */
  validateEvents?: boolean;
}

/** How often the checkpointer thread copies SQLite's WAL into the database file. */
const CHECKPOINT_EVERY_MS = 100;

/**
 * Starts the relay, the retention sweep and (on SQLite) the WAL checkpointer once the app is up;
 * stops them before the broker drains.
 */
@Injectable()
class PersistenceLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Persistence');
  private checkpointer?: SqliteCheckpointer;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly sweeper: RetentionSweeper,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const { type, database } = this.dataSource.options;
    if (type === 'better-sqlite3') {
      this.checkpointer = new SqliteCheckpointer(database, CHECKPOINT_EVERY_MS, (message) =>
        this.logger.warn(message),
      );
    }
    this.relay.start();
    this.sweeper.start();
  }

  /**
   * Before any module's onApplicationShutdown, where TypeORM closes the database: a relay or sweep
   * still running then fails on a closed connection. Rows not yet relayed wait in the outbox for the
   * next start.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
    await this.relay.stop();
    await this.checkpointer?.stop();
  }
}

/** The service database (PostgreSQL or embedded SQLite), the unit of work, inbox and outbox relay. */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [TypeOrmModule.forRoot(dataSourceOptionsFor(options)), TerminusModule],
      providers: [
        {
          provide: UnitOfWork,
          useFactory: (ds: DataSource) => new UnitOfWork(ds, options.validateEvents ?? true),
          inject: [getDataSourceToken()],
        },
        { provide: Inbox, useFactory: (uow: UnitOfWork) => new Inbox(uow), inject: [UnitOfWork] },
        {
          provide: IdempotentRequests,
          useFactory: (uow: UnitOfWork) => new IdempotentRequests(uow),
          inject: [UnitOfWork],
        },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, uow: UnitOfWork, publisher: EventPublisher) => {
            const relay = new OutboxRelay(
              ds,
              uow,
              publisher,
              new Logger('OutboxRelay'),
              { ...DEFAULT_RELAY_OPTIONS, ...options.relay },
              options.serviceName,
            );
            uow.onEventsCommitted(() => relay.notify());
            return relay;
          },
          inject: [getDataSourceToken(), UnitOfWork, EventPublisher],
        },
        {
          provide: RetentionSweeper,
          useFactory: (ds: DataSource) =>
            new RetentionSweeper(ds, new Logger('Retention'), { ...DEFAULT_RETENTION, ...options.retention }),
          inject: [getDataSourceToken()],
        },
        PersistenceLifecycle,
      ],
      exports: [UnitOfWork, Inbox, IdempotentRequests, OutboxRelay],
    };
  }
}
