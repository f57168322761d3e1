export * from './plant-nats';
export * from './consumed-subjects';
