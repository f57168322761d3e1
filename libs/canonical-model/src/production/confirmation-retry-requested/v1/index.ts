export * from './confirmation-retry-requested.v1';
