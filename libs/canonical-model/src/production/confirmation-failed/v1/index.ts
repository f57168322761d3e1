export * from './confirmation-failed.v1';
