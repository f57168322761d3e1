export * from './alarm-acknowledged.v1';
