export * from './confirmation-posted.v1';
