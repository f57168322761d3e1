export * from './operation-started.v1';
