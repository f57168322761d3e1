export * from './notification-requested.v1';
