export * from './eventually';
export * from './environment';
export * from './nats-server-process';
