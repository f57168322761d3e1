export * from './order-acknowledged.v1';
