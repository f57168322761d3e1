export * from './notification-created.v1';
