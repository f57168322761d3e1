export * from './order-released.v1';
