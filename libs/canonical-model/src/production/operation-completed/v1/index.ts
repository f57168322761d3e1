export * from './operation-completed.v1';
