export * from './eventually';
export * from './environment';
export * from './nats-server-process';
export * from './database';
export * from './service-process';
export * from './stalling-proxy';
export * from './certificates';
export * from './postgres-server-process';
