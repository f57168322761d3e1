export * from './plant-nats';
export * from './consumed-subjects';
export * from './service-messaging';
export * from './subscribers';
