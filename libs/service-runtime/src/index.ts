export * from './correlation';
export * from './platform.module';
export * from './run-service';
export * from './telemetry';
export * from './idempotency-key';
export * from './openapi';
export * from './validation';
export * from './readiness-registry';
