import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { ServiceConfig } from '@plantbridge/config';
import {
  EventPublisher,
  JetStreamConnection,
  JetStreamServer,
  MessagingModule,
} from '@plantbridge/messaging';
import { type EntityClass, type MigrationClass, PersistenceModule } from '@plantbridge/persistence';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health.controller';
import { IdempotencyKeyReusedFilter } from './idempotency-key';
import { MetricsController } from './metrics.controller';
import { AdmissionControl, AdmissionGuard } from './admission';
import { Authenticator, AuthGuard, RateLimiter, TokenVerifier } from './auth';
import { EventOrigins } from './event-origins';
import { ReadinessRegistry } from './readiness-registry';
import { SERVED_PLANT, ServedPlantPipe } from './served-plant.pipe';
import { httpLogSerializers, requestUrl } from './request-log';
import { fieldValidationPipe } from './validation';

export interface ServiceDescriptor {
  /** e.g. `production-order-sync`: names logs, NATS connection, durables and the SQLite file. */
  name: string;
  entities?: EntityClass[];
  migrations?: MigrationClass[];
  /**
   * Check every event against the canonical rules before the outbox stores it (default true), so a
   * request is never accepted whose event consumers would refuse. The edge gateway turns it off: its
   * events are made by code from mapped tags, at tens of thousands a second.
   */
  validateOutgoingEvents?: boolean;
}

/**
 * What every Plantbridge service has: JSON logs with correlation ids, the broker connection and
 * JetStream transport, the database with inbox and outbox, health and metrics endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot(service: ServiceDescriptor, config: ServiceConfig): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { service: service.name, plant: config.PLANT_ID },
            // The request's id is its correlation id (see httpAdapter).
            customAttributeKeys: { reqId: 'correlationid' },
            // Logs written while handling a request carry its correlation id, not the request.
            quietReqLogger: true,
            wrapSerializers: false,
            serializers: httpLogSerializers,
            autoLogging: {
              ignore: (req) => {
                const url = requestUrl(req) ?? '';
                return url.startsWith('/health') || url === '/metrics';
              },
            },
          },
        }),
        MessagingModule.forRoot({
          nats: {
            url: config.NATS_URL,
            name: `${service.name}@${config.PLANT_ID}`,
            user: config.NATS_USER,
            pass: config.NATS_PASSWORD,
            credsFile: config.NATS_CREDS_FILE,
            tls: {
              caFile: config.NATS_TLS_CA_FILE,
              certFile: config.NATS_TLS_CERT_FILE,
              keyFile: config.NATS_TLS_KEY_FILE,
            },
          },
          streamsMode: config.NATS_STREAMS,
        }),
        PersistenceModule.forRoot({
          serviceName: service.name,
          databaseUrl: config.DATABASE_URL,
          schema: config.DATABASE_SCHEMA,
          tls: {
            caFile: config.DATABASE_TLS_CA_FILE,
            certFile: config.DATABASE_TLS_CERT_FILE,
            keyFile: config.DATABASE_TLS_KEY_FILE,
          },
          pool: { size: config.DB_POOL_SIZE, acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS },
          dataDir: config.DATA_DIR,
          entities: service.entities,
          migrations: service.migrations,
          validateEvents: service.validateOutgoingEvents ?? true,
          relay: { pollMs: config.OUTBOX_POLL_MS },
          retention: {
            idempotencyMs: config.IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000,
            outboxMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
          },
        }),
        // Readiness answers with what is down; logging every failed probe would flood the logs
        // while NATS is away and Kubernetes keeps probing.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_PIPE, useFactory: fieldValidationPipe },
        {
          provide: Authenticator,
          useFactory: () =>
            new Authenticator({
              verifier:
                config.AUTH_MODE === 'jwt'
                  ? new TokenVerifier({
                      issuer: config.AUTH_ISSUER ?? '',
                      audience: config.AUTH_AUDIENCE,
                      jwksUrl: config.AUTH_JWKS_URL,
                      jwksFile: config.AUTH_JWKS_FILE,
                      clockSkewS: config.AUTH_CLOCK_SKEW_S,
                    })
                  : undefined,
              managementOpen: config.MANAGEMENT_ACCESS === 'open',
              servedPlant: config.PLANT_ID,
              limiter: new RateLimiter(config.RATE_LIMIT_PER_S, config.RATE_LIMIT_BURST),
            }),
        },
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector, authenticator: Authenticator) =>
            new AuthGuard(reflector, authenticator),
          inject: [Reflector, Authenticator],
        },
        ReadinessRegistry,
        { provide: SERVED_PLANT, useValue: config.PLANT_ID },
        ServedPlantPipe,
        { provide: EventOrigins, useValue: new EventOrigins(service.name) },
        {
          provide: AdmissionControl,
          useFactory: () =>
            new AdmissionControl({
              maxEventLoopDelayMs: config.ADMISSION_MAX_EVENT_LOOP_DELAY_MS,
              maxBacklog: config.ADMISSION_MAX_BACKLOG,
              retryAfterSeconds: config.ADMISSION_RETRY_AFTER_S,
            }),
        },
        AdmissionGuard,
        { provide: APP_FILTER, useClass: IdempotencyKeyReusedFilter },
        {
          provide: JetStreamServer,
          useFactory: (connection: JetStreamConnection, publisher: EventPublisher) =>
            new JetStreamServer({
              serviceName: service.name,
              plant: config.PLANT_ID,
              settings: config,
              defaults: { ackWaitMs: config.CONSUMER_ACK_WAIT_MS },
              connection,
              publisher,
              logger: new Logger('JetStream'),
            }),
          inject: [JetStreamConnection, EventPublisher],
        },
      ],
      exports: [
        JetStreamServer,
        ReadinessRegistry,
        AdmissionControl,
        AdmissionGuard,
        SERVED_PLANT,
        ServedPlantPipe,
        EventOrigins,
        Authenticator,
      ],
    };
  }
}
