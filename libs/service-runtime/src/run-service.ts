import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InvalidConfigError, loadConfig, type ServiceConfig } from '@plantbridge/config';
import { JetStreamServer } from '@plantbridge/messaging';
import { Logger } from 'nestjs-pino';
import { Authenticator } from './auth/auth.guard';
import { httpAdapter } from './http-adapter';
import { type OpenApiInfo, serveOpenApi } from './openapi';
import { startTelemetry } from './telemetry';

/** Exit code for bad configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  config: new () => C;
  /** The service's root module for a validated configuration. */
  module: (config: C) => DynamicModule;
  /** Serve an OpenAPI document generated from the controllers at /openapi.json and /docs. */
  openApi?: OpenApiInfo;
}

/**
 * The service's Nest app for a validated configuration, not yet listening: JSON logs, the JetStream
 * transport attached, OpenAPI served. `runService` uses it; so do tests that run a service in-process.
 */
export async function createServiceApp<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
): Promise<INestApplication> {
  const limits = {
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
  };
  const app = await NestFactory.create(definition.module(config), httpAdapter(limits), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.connectMicroservice({ strategy: app.get(JetStreamServer) }, { inheritAppConfig: true });
  if (definition.openApi) serveOpenApi(app, definition.openApi, app.get(Authenticator));
  return app;
}

/**
 * Boots a service: telemetry first, then configuration (refusing to start with one message naming
 * every bad setting), then the hybrid app (HTTP + JetStream). SIGTERM drains consumers, the outbox
 * relay and the broker connection, with SHUTDOWN_TIMEOUT_MS as the limit.
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
): Promise<INestApplication> {
  const telemetry = startTelemetry(definition.name);
  let config: C;
  try {
    config = loadConfig(definition.config);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    process.stderr.write(`${definition.name} cannot start. ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }

  const app = await createServiceApp(definition, config);
  const logger = app.get(Logger);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: draining (at most ${config.SHUTDOWN_TIMEOUT_MS} ms)`);
      setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
    });
  }
  await app.startAllMicroservices();
  try {
    await app.listen(config.HTTP_PORT, config.HTTP_BIND_ADDRESS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `${definition.name} cannot start: HTTP_PORT ${config.HTTP_PORT} is already in use\n`,
      );
      await app.close();
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  logger.log(
    `${definition.name} for plant ${config.PLANT_ID} listening on ${config.HTTP_BIND_ADDRESS}:${config.HTTP_PORT}`,
  );
  process.once('beforeExit', () => void telemetry.shutdown());
  return app;
}
