export * from './confirmation-discarded.v1';
